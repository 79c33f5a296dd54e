//! The `snapshot` header object (`meta`, counts): parsed with serde_json from a small captured
//! prefix, then turned into field roles so the bulk arrays are read by NAME, never by a
//! hard-coded offset (FORMATS-AND-LIMITS §2.2: 6 or 7 node fields, type lists vary).

use serde::Deserialize;
use serde_json::Value;

use crate::formats::DecodeError;

/// What one position of a node record means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NodeField {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    Detachedness,
    Ignored,
}

/// What one position of an edge record means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EdgeField {
    Type,
    NameOrIndex,
    ToNode,
    Ignored,
}

#[derive(Deserialize)]
struct RawHeader {
    meta: RawMeta,
    node_count: Option<f64>,
    edge_count: Option<f64>,
    root_index: Option<f64>,
    extra_native_bytes: Option<f64>,
}

#[derive(Deserialize)]
struct RawMeta {
    node_fields: Vec<String>,
    node_types: Vec<Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<Value>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// The header, resolved into what the bulk scanner needs.
#[derive(Debug)]
pub(super) struct Header {
    pub node_fields: Vec<NodeField>,
    pub edge_fields: Vec<EdgeField>,
    pub node_types: Vec<String>,
    pub edge_types: Vec<String>,
    pub has_detachedness: bool,
    /// Offsets of object_index, script_id, line, column inside a location record, and its size.
    pub location_layout: Option<([usize; 4], usize)>,
    pub node_count: Option<u64>,
    pub edge_count: Option<u64>,
    pub root_index: u64,
    pub extra_native_bytes: u64,
}

fn count(v: Option<f64>, what: &str) -> Result<Option<u64>, DecodeError> {
    match v {
        None => Ok(None),
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => Ok(Some(x as u64)),
        Some(x) => Err(DecodeError::new(format!(
            "the snapshot header's {what} is {x}, not a node or edge count"
        ))),
    }
}

fn type_names(lists: &[Value], offset: usize, what: &str) -> Result<Vec<String>, DecodeError> {
    let list = lists.get(offset).and_then(Value::as_array).ok_or_else(|| {
        DecodeError::new(format!(
            "snapshot.meta.{what} has no list of type names for the `type` field"
        ))
    })?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            DecodeError::new(format!(
                "snapshot.meta.{what} holds a type name that is not a string"
            ))
        })
}

fn position(fields: &[String], name: &str, what: &str) -> Result<usize, DecodeError> {
    fields
        .iter()
        .position(|f| f == name)
        .ok_or_else(|| DecodeError::new(format!("snapshot.meta.{what} lacks the `{name}` field")))
}

impl Header {
    /// Parses the captured `{...}` text of the `snapshot` key.
    pub fn parse(text: &[u8]) -> Result<Header, DecodeError> {
        let raw: RawHeader = serde_json::from_slice(text).map_err(|e| {
            DecodeError::new(format!(
                "the snapshot header (snapshot.meta) is not what V8 writes: {e}"
            ))
        })?;
        let m = &raw.meta;
        let type_at = position(&m.node_fields, "type", "node_fields")?;
        for required in ["name", "id", "self_size", "edge_count"] {
            position(&m.node_fields, required, "node_fields")?;
        }
        let edge_type_at = position(&m.edge_fields, "type", "edge_fields")?;
        for required in ["name_or_index", "to_node"] {
            position(&m.edge_fields, required, "edge_fields")?;
        }
        let node_fields = m
            .node_fields
            .iter()
            .map(|f| match f.as_str() {
                "type" => NodeField::Type,
                "name" => NodeField::Name,
                "id" => NodeField::Id,
                "self_size" => NodeField::SelfSize,
                "edge_count" => NodeField::EdgeCount,
                "detachedness" => NodeField::Detachedness,
                _ => NodeField::Ignored,
            })
            .collect::<Vec<_>>();
        let edge_fields = m
            .edge_fields
            .iter()
            .map(|f| match f.as_str() {
                "type" => EdgeField::Type,
                "name_or_index" => EdgeField::NameOrIndex,
                "to_node" => EdgeField::ToNode,
                _ => EdgeField::Ignored,
            })
            .collect::<Vec<_>>();
        let lf = &m.location_fields;
        let location_layout = match ["object_index", "script_id", "line", "column"]
            .map(|n| lf.iter().position(|f| f == n))
        {
            [Some(a), Some(b), Some(c), Some(d)] => Some(([a, b, c, d], lf.len())),
            _ => None,
        };
        Ok(Header {
            has_detachedness: node_fields.contains(&NodeField::Detachedness),
            node_types: type_names(&m.node_types, type_at, "node_types")?,
            edge_types: type_names(&m.edge_types, edge_type_at, "edge_types")?,
            node_fields,
            edge_fields,
            location_layout,
            node_count: count(raw.node_count, "node_count")?,
            edge_count: count(raw.edge_count, "edge_count")?,
            root_index: count(raw.root_index, "root_index")?.unwrap_or(0),
            extra_native_bytes: raw
                .extra_native_bytes
                .filter(|x| *x >= 0.0 && x.is_finite())
                .map_or(0, |x| x as u64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_name_in_any_order() {
        let h = Header::parse(
            br#"{"meta":{"node_fields":["id","type","name","edge_count","self_size","detachedness"],
            "node_types":["number",["hidden","object","wasm object"]],"edge_fields":["to_node","type","name_or_index"],
            "edge_types":["node",["weak","property"],"x"]},"node_count":3,"edge_count":2.0}"#,
        )
        .unwrap();
        assert_eq!(h.node_fields[0], NodeField::Id);
        assert_eq!(h.node_types, ["hidden", "object", "wasm object"]);
        assert_eq!(h.edge_types, ["weak", "property"]);
        assert!(h.has_detachedness);
        assert_eq!((h.node_count, h.edge_count), (Some(3), Some(2)));
    }

    #[test]
    fn missing_fields_are_named() {
        let e = Header::parse(br#"{"meta":{"node_fields":["type","name"],"node_types":[[]],"edge_fields":[],"edge_types":[]}}"#)
            .unwrap_err();
        assert!(e.message.contains("lacks the `id` field"), "{e}");
        assert!(Header::parse(b"{\"meta\": 3}")
            .unwrap_err()
            .message
            .contains("not what V8 writes"));
    }
}
