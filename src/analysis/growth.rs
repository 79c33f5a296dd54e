//! Growth across a series of profiles taken over time: per function, per stack and per
//! constructor, the value at each point, its trend and whether it grew at every step, ranked
//! so that what only goes up comes first. The trend of one sequence is `trend`.

mod trend;

pub use trend::{rank_order, slope, trend, GrowthTrend, TrendKind};
