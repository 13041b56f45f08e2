//! The generated types against the contract they were generated from: every method and param
//! of `protos/openrpc.json` is known with its required flag and enum values, and params
//! serialize under the contract's names (unknown params through `extra`).
use serde_json::Value;
use temporal_handled::protocol::*;
use temporal_handled::{json, Map};

fn contract() -> Value {
    serde_json::from_str(&std::fs::read_to_string(CONTRACT_PATH).expect("the contract")).unwrap()
}

#[test]
fn every_method_and_param_of_the_contract_is_generated() {
    let doc = contract();
    let methods = doc["methods"].as_array().unwrap();
    assert_eq!(methods.len(), METHODS.len());
    for m in methods {
        let name = m["name"].as_str().unwrap();
        let info = method_info(name).unwrap_or_else(|| panic!("{name} is not generated"));
        let params = m["params"].as_array().unwrap();
        assert_eq!(params.len(), info.params.len(), "{name}");
        for p in params {
            let pname = p["name"].as_str().unwrap();
            let pi = param_info(name, pname).unwrap_or_else(|| panic!("{name} {pname}"));
            assert_eq!(
                pi.required,
                p["required"].as_bool().unwrap_or(false),
                "{name} {pname}"
            );
        }
    }
    for (k, e) in doc["components"]["errors"].as_object().unwrap() {
        assert_eq!(error_code(k), e["code"].as_i64(), "{k}");
    }
}

#[test]
fn params_serialize_under_the_contract_names() {
    let mut p = WorkflowStartParams {
        workflow_type: "t".into(),
        task_queue: "q".into(),
        workflow_id: "w".into(),
        id_conflict_policy: Some(IdConflictPolicy::UseExisting),
        ..Default::default()
    };
    p.extra.insert("paramOfALaterContract".into(), json!(1));
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(
        v,
        json!({"workflowType": "t", "taskQueue": "q", "workflowId": "w", "idConflictPolicy": "USE_EXISTING", "paramOfALaterContract": 1})
    );
    let allowed = param_info("workflow/start", "idConflictPolicy")
        .unwrap()
        .enum_values
        .unwrap();
    assert_eq!(allowed, IdConflictPolicy::VALUES);
    assert!("SOMETIMES"
        .parse::<IdReusePolicy>()
        .unwrap_err()
        .contains("ALLOW_DUPLICATE"));
    let q = HandleQueryParams {
        handle: "h".into(),
        query: "state".into(),
        reject_condition: Some(RejectCondition::NotOpen),
        extra: Map::new(),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&q).unwrap(),
        json!({"handle": "h", "query": "state", "rejectCondition": "NOT_OPEN"})
    );
}

#[test]
fn results_decode_into_the_generated_shapes() {
    let info: HandleInfo = serde_json::from_value(json!({
        "handle": "wh_x", "namespace": "default", "workflowId": "w", "runId": null, "resultRunId": "r", "firstExecutionRunId": "r"
    }))
    .unwrap();
    assert_eq!(info.run_id, None);
    assert_eq!(info.result_run_id.as_deref(), Some("r"));
    let f: Failure = serde_json::from_value(json!({"type": "ApplicationError", "message": "m", "cause": {"type": "TimeoutError", "message": "t"}})).unwrap();
    assert_eq!(f.cause.unwrap().r#type, "TimeoutError");
}
