//! Generates the protocol's types from the contract, `protos/openrpc.json`: the method names,
//! every method's params as a struct (optional params as `Option`, unknown future params
//! through `extra`), the enums of enum-valued params, the shared shapes of
//! `components/schemas` as structs, each method's result as a struct, the error types with
//! their codes, and a table of every param (required, enum values, description) that the
//! command-line client reads. A method or param added to the contract later appears here on
//! the next build; nothing is written by hand.
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let contract = std::env::var("TEMPORAL_HANDLED_OPENRPC")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../protos/openrpc.json"));
    println!("cargo:rerun-if-changed={}", contract.display());
    println!("cargo:rerun-if-env-changed=TEMPORAL_HANDLED_OPENRPC");
    let text = std::fs::read_to_string(&contract)
        .unwrap_or_else(|e| panic!("cannot read the contract {}: {e}", contract.display()));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", contract.display()));
    let out = Gen::new(&doc).run();
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("protocol.rs");
    std::fs::write(&dest, out).unwrap();
    println!(
        "cargo:rustc-env=TEMPORAL_HANDLED_CONTRACT={}",
        contract.canonicalize().unwrap_or(contract).display()
    );
}

struct Gen<'a> {
    doc: &'a Value,
    schemas: &'a Map<String, Value>,
    /// Component schemas generated as structs.
    structs: Vec<String>,
    /// Enum name -> values.
    enums: BTreeMap<String, Vec<String>>,
    out: String,
    /// The struct being generated (a field of its own type is boxed).
    boxing: Option<String>,
}

fn pascal(s: &str) -> String {
    let mut o = String::new();
    let mut up = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if up {
                o.extend(c.to_uppercase());
            } else {
                o.push(c);
            }
            up = false;
        } else {
            up = true;
        }
    }
    o
}

fn snake(s: &str) -> String {
    let mut o = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                o.push('_');
            }
            o.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            o.push(c);
        } else {
            o.push('_');
        }
    }
    match o.as_str() {
        "type" | "ref" | "match" | "move" | "self" | "struct" | "enum" | "fn" | "mod" | "use"
        | "impl" | "loop" | "where" | "async" | "await" | "dyn" | "box" | "override" => {
            format!("r#{o}")
        }
        _ => o,
    }
}

fn variant(s: &str) -> String {
    let p = pascal(&s.to_ascii_lowercase());
    if p.is_empty() || p.chars().next().unwrap().is_ascii_digit() {
        format!("V{p}")
    } else {
        p
    }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn doc_comment(out: &mut String, indent: &str, text: Option<&str>) {
    if let Some(t) = text {
        for line in t.lines() {
            let _ = writeln!(out, "{indent}/// {}", line.trim_end());
        }
    }
}

impl<'a> Gen<'a> {
    fn new(doc: &'a Value) -> Self {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        let structs = schemas
            .iter()
            .filter(|(_, s)| is_struct(s))
            .map(|(k, _)| k.clone())
            .collect();
        Gen {
            doc,
            schemas,
            structs,
            enums: BTreeMap::new(),
            out: String::new(),
            boxing: None,
        }
    }

    /// The Rust type of a schema; `enum_name` names a generated enum for an enum-valued string.
    fn ty(&mut self, s: &Value, enum_name: Option<&str>) -> String {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            if self.structs.iter().any(|x| x == name) {
                return name.to_string();
            }
            return match self.schemas.get(name) {
                Some(inner) => {
                    let inner = inner.clone();
                    self.ty(&inner, None)
                }
                None => "Value".into(),
            };
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = any
                .iter()
                .filter(|x| x.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if non_null.len() == 1 && non_null.len() < any.len() {
                let inner = self.ty(non_null[0], enum_name);
                return format!("Option<{inner}>");
            }
            return "Value".into();
        }
        if let (Some(values), Some(name)) = (s.get("enum").and_then(Value::as_array), enum_name) {
            let vals: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            if vals.len() == values.len() && !vals.is_empty() {
                let mut name = name.to_string();
                if let Some(existing) = self.enums.get(&name) {
                    if *existing != vals {
                        name = format!("{name}{}", vals.len());
                    }
                }
                self.enums.insert(name.clone(), vals);
                return name;
            }
        }
        match s.get("type").and_then(Value::as_str) {
            Some("string") => "String".into(),
            Some("integer") => "i64".into(),
            Some("number") => "Number".into(),
            Some("boolean") => "bool".into(),
            Some("array") => {
                let items = s.get("items").cloned().unwrap_or(Value::Null);
                format!("Vec<{}>", self.ty(&items, None))
            }
            _ => "Value".into(),
        }
    }

    fn field(&mut self, json_name: &str, s: &Value, required: bool, enum_name: Option<&str>) {
        let t = self.ty(s, enum_name);
        let desc = s
            .get("description")
            .and_then(Value::as_str)
            .map(String::from);
        let mut out = String::new();
        doc_comment(&mut out, "    ", desc.as_deref());
        let optional =
            !required || t.starts_with("Option<") || t == "Number" || self.enums.contains_key(&t);
        // A shape that contains itself (a Failure's cause) is boxed.
        let t = if self.structs.contains(&t) && self.boxing.as_deref() == Some(t.as_str()) {
            format!("Box<{t}>")
        } else {
            t
        };
        let t = if optional && !t.starts_with("Option<") {
            format!("Option<{t}>")
        } else {
            t
        };
        if optional {
            let _ = writeln!(
                out,
                "    #[serde(rename = {}, default, skip_serializing_if = \"Option::is_none\")]",
                lit(json_name)
            );
        } else {
            let _ = writeln!(out, "    #[serde(rename = {}, default)]", lit(json_name));
        }
        let _ = writeln!(out, "    pub {}: {t},", snake(json_name));
        self.out.push_str(&out);
    }

    fn object_struct(&mut self, name: &str, s: &Value, doc: Option<&str>) {
        let props = s
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        doc_comment(&mut self.out, "", doc);
        self.out
            .push_str("#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]\n");
        let _ = writeln!(self.out, "pub struct {name} {{");
        self.boxing = Some(name.to_string());
        for (k, v) in &props {
            // Enums of results stay strings: a newer daemon may send a value this build does not know.
            self.field(k, v, required.contains(k), None);
        }
        self.out.push_str("}\n\n");
        self.boxing = None;
    }

    fn run(mut self) -> String {
        self.out
            .push_str("// Generated by build.rs from protos/openrpc.json. Do not edit.\n\n");
        let doc = self.doc;
        let methods = doc
            .get("methods")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();

        // Method names.
        self.out
            .push_str("/// The contract's method names.\npub mod method {\n");
        for m in &methods {
            let name = m["name"].as_str().unwrap_or_default();
            doc_comment(
                &mut self.out,
                "    ",
                m.get("summary").and_then(Value::as_str),
            );
            let _ = writeln!(
                self.out,
                "    pub const {}: &str = {};",
                snake(name).trim_start_matches("r#").to_ascii_uppercase(),
                lit(name)
            );
        }
        self.out.push_str("}\n\n");

        // Shared shapes.
        for name in self.structs.clone() {
            let s = self.schemas[&name].clone();
            let d = s
                .get("description")
                .and_then(Value::as_str)
                .map(String::from);
            self.object_struct(&name, &s, d.as_deref());
        }

        // Params and results per method; the param table.
        let mut table = String::new();
        for m in &methods {
            let name = m["name"].as_str().unwrap_or_default();
            let p = pascal(name);
            let params = m
                .get("params")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let summary = m.get("summary").and_then(Value::as_str).unwrap_or_default();
            let _ = writeln!(
                self.out,
                "/// The params of `{name}`: {summary}\n#[derive(Debug, Clone, Default, PartialEq, Serialize)]\npub struct {p}Params {{"
            );
            let mut rows = String::new();
            for param in &params {
                let pname = param["name"].as_str().unwrap_or_default();
                let required = param
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let mut schema = param.get("schema").cloned().unwrap_or(Value::Null);
                if let (Some(d), Some(o)) = (param.get("description"), schema.as_object_mut()) {
                    o.entry("description").or_insert(d.clone());
                }
                self.field(pname, &schema, required, Some(&pascal(pname)));
                let resolved = self.resolve(&schema);
                let enum_values = resolved
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|a| {
                        let v: Vec<String> = a.iter().filter_map(|x| x.as_str().map(lit)).collect();
                        format!("Some(&[{}])", v.join(", "))
                    })
                    .unwrap_or_else(|| "None".into());
                let desc = param
                    .get("description")
                    .or_else(|| schema.get("description"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let _ = writeln!(
                    rows,
                    "        ParamInfo {{ name: {}, required: {required}, description: {}, enum_values: {enum_values} }},",
                    lit(pname),
                    lit(desc)
                );
            }
            self.out.push_str(
                "    /// Params this version of the contract does not know, sent as they are.\n    #[serde(flatten)]\n    pub extra: Map<String, Value>,\n}\n\n",
            );
            if let Some(r) = m.pointer("/result/schema") {
                if is_struct(r) {
                    let r = r.clone();
                    self.object_struct(
                        &format!("{p}Result"),
                        &r,
                        Some(&format!("The result of `{name}`.")),
                    );
                } else {
                    let t = self.ty(r, None);
                    let _ = writeln!(
                        self.out,
                        "/// The result of `{name}`.\npub type {p}Result = {};\n",
                        if t == "Value" || t.starts_with("Option<") || t == "()" {
                            "Value".to_string()
                        } else {
                            t
                        }
                    );
                }
            }
            let progress = m
                .get("x-progressParam")
                .and_then(Value::as_str)
                .map(|s| format!("Some({})", lit(s)))
                .unwrap_or_else(|| "None".into());
            let _ = writeln!(
                table,
                "    MethodInfo {{ name: {}, summary: {}, progress_param: {progress}, params: &[\n{rows}    ] }},",
                lit(name),
                lit(summary)
            );
        }

        // Enums.
        for (name, vals) in self.enums.clone() {
            let _ = writeln!(
                self.out,
                "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]\npub enum {name} {{"
            );
            for v in &vals {
                let _ = writeln!(
                    self.out,
                    "    #[serde(rename = {})]\n    {},",
                    lit(v),
                    variant(v)
                );
            }
            let _ = writeln!(
                self.out,
                "}}\n\nimpl {name} {{\n    /// Every value, as the protocol names them.\n    pub const VALUES: &'static [&'static str] = &[{}];\n    /// The protocol's name of this value.\n    pub fn as_str(&self) -> &'static str {{\n        match self {{",
                vals.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ")
            );
            for v in &vals {
                let _ = writeln!(
                    self.out,
                    "            {name}::{} => {},",
                    variant(v),
                    lit(v)
                );
            }
            let _ = writeln!(
                self.out,
                "        }}\n    }}\n}}\n\nimpl std::str::FromStr for {name} {{\n    type Err = String;\n    fn from_str(s: &str) -> Result<Self, String> {{\n        match s {{"
            );
            for v in &vals {
                let _ = writeln!(
                    self.out,
                    "            {} => Ok({name}::{}),",
                    lit(v),
                    variant(v)
                );
            }
            let _ = writeln!(
                self.out,
                "            _ => Err(format!(\"must be one of {}; got {{s:?}}\")),\n        }}\n    }}\n}}\n",
                vals.join(", ")
            );
        }

        // Tables.
        let _ = writeln!(
            self.out,
            "/// Every method of the contract with its params.\npub const METHODS: &[MethodInfo] = &[\n{table}];\n"
        );
        let mut errors = String::new();
        if let Some(errs) = doc.pointer("/components/errors").and_then(Value::as_object) {
            for (k, e) in errs {
                let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
                let message = e.get("message").and_then(Value::as_str).unwrap_or_default();
                let _ = writeln!(
                    errors,
                    "    ErrorInfo {{ type_name: {}, code: {code}, message: {} }},",
                    lit(k),
                    lit(message)
                );
            }
        }
        let _ = writeln!(
            self.out,
            "/// Every error type of the contract (`data.type`) with its JSON-RPC code.\npub const ERRORS: &[ErrorInfo] = &[\n{errors}];\n"
        );
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let _ = writeln!(
            self.out,
            "/// The contract's version (`info.version`).\npub const CONTRACT_VERSION: &str = {};",
            lit(version)
        );
        self.out
    }

    fn resolve(&self, s: &Value) -> Value {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            if let Some(inner) = self.schemas.get(name) {
                return self.resolve(inner);
            }
        }
        s.clone()
    }
}

fn is_struct(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("object")
        && s.get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
}
