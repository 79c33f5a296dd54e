//! A synthetic Go heap profile (profile.proto, not gzipped) of any size: functions calling each
//! other along pseudo-random paths, as Go's allocation sites do, with Go's four heap sample
//! types and its `bytes` label. The worker's warm-up decodes and analyses one (see
//! `session::warm_up`). Not a test oracle.

use prost::Message;

use super::messages::{Function, Label, Line, Location, Profile, Sample, ValueType};

/// A profile of `samples` samples over `functions` functions (at least 8).
pub fn synthetic_heap_profile(samples: usize, functions: usize) -> Vec<u8> {
    let functions = functions.max(8);
    let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
    let mut string = |s: String| {
        strings.push(s.into_bytes());
        strings.len() as i64 - 1
    };
    let sample_type = [
        "alloc_objects",
        "alloc_space",
        "inuse_objects",
        "inuse_space",
    ]
    .map(|name| ValueType {
        r#type: string(name.to_owned()),
        unit: string(
            if name.ends_with("objects") {
                "count"
            } else {
                "bytes"
            }
            .to_owned(),
        ),
    })
    .to_vec();
    let file = string("main.go".to_owned());
    let bytes_key = string("bytes".to_owned());
    let mut profile = Profile {
        sample_type,
        period_type: Some(ValueType {
            r#type: string("space".to_owned()),
            unit: string("bytes".to_owned()),
        }),
        period: 512 * 1024,
        ..Default::default()
    };
    for f in 0..functions {
        let name = string(format!("main.step{f}"));
        let id = f as u64 + 1;
        profile.function.push(Function {
            id,
            name,
            system_name: name,
            filename: file,
            start_line: 10 * f as i64,
        });
        profile.location.push(Location {
            id,
            address: 0x1000 + 16 * id,
            line: vec![Line {
                function_id: id,
                line: 10 * f as i64 + 3,
                column: 0,
            }],
            ..Default::default()
        });
    }
    profile.string_table = strings;
    let mut out = profile.encode_to_vec();
    // xorshift64*: the same profile every time.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = |n: u64| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    };
    let n = functions as u64;
    for _ in 0..samples {
        // Root first: a few entry points, then calls into any function; stored leaf first.
        let depth = 3 + next(22) as usize;
        let mut stack = vec![1 + next(4)];
        while stack.len() < depth {
            stack.push(1 + next(n));
        }
        stack.reverse();
        let size = 16_i64 << next(8);
        let objects = 1 + next(100) as i64;
        let sample = Sample {
            location_id: stack,
            value: vec![objects * 3, objects * 3 * size, objects, objects * size],
            label: vec![Label {
                key: bytes_key,
                num: size,
                ..Default::default()
            }],
        };
        prost::encoding::message::encode(2, &sample, &mut out);
    }
    out
}
