//! Growth across a series of profiles taken over time: per function, per stack and per
//! constructor, the value at each point, its trend and whether it grew at every step, ranked
//! so that what only goes up comes first. The trend of one sequence is `trend`; pprof series
//! are read from one `Aggregate` (`profile_growth`).

mod goroutine_waits;
mod profile_growth;
mod trend;

pub use goroutine_waits::{goroutine_waits, WaitRow};
pub use profile_growth::{
    noise_floor, profile_growth, GrowthRow, ProfileGrowth, NOISE_PERIODS, NOISE_SHARE,
};
pub use trend::{rank_order, slope, trend, GrowthTrend, TrendKind};
