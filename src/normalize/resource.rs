//! The resource model: which service, revision and instance a LogEntry belongs to, read from its
//! monitored resource (`resource.type` and `resource.labels`) and its entry `labels`, one rule per
//! resource type. The table is in docs/resources.md; the short of it:
//!
//! - the *service* is the unit a team owns (a Cloud Run service or job, a function, an App Engine
//!   module, a Kubernetes workload, a VM, a database, a build trigger, a load balancer, ...);
//! - the *revision* is the deployable version of it where the resource names one (a Cloud Run
//!   revision, a job execution, an App Engine version, a Deployment's ReplicaSet, a build, a load
//!   balancer's backend), and nothing where it does not;
//! - the *instance* is the process or machine that wrote the entry (it keeps the lines of one
//!   traceback together; reports do not show it);
//! - audit logs belong to the audited service (`protoPayload.serviceName`), whatever their
//!   resource type: an IAM denial on a VM is about `compute.googleapis.com`, not about the VM's
//!   workload.
//!
//! A gen2 Cloud Function is a Cloud Run service: its runtime entries are `cloud_run_revision`
//! (the lower-cased function name, `labels."goog-managed-by": "cloudfunctions"`) and its
//! `cloud_function` entries are audit logs, which go to `cloudfunctions.googleapis.com`. So each
//! function is one service: gen1 under its own name, gen2 under the name Cloud Run gives it.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// `resource`: the monitored resource.
#[derive(serde::Deserialize, Default, Debug)]
#[serde(default)]
pub(super) struct Resource<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Option<Cow<'a, str>>,
    /// Boxed: the labels the model reads make a large struct, and a LogEntry is moved a few
    /// times between serde and the record (a profile showed the copies).
    #[serde(borrow, deserialize_with = "object")]
    pub(super) labels: Option<Box<ResourceLabels<'a>>>,
}

/// The `resource.labels` the model reads (docs/resources.md names the type of each).
#[derive(serde::Deserialize, Default, Debug)]
#[serde(default)]
pub(super) struct ResourceLabels<'a> {
    #[serde(borrow)]
    pub(super) project_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    revision_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    job_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    execution_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    module_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    container_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    namespace_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pod_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    node_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cluster_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    instance_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    database_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    build_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    build_trigger_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    job_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    task_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    forwarding_rule_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    backend_service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    backend_target_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    backend_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    bucket_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subnetwork_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    queue_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subscription_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    topic_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    environment_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    connector_name: Option<Cow<'a, str>>,
    /// `audited_resource`, `api`: the service (`monitoring.googleapis.com`).
    #[serde(borrow)]
    service: Option<Cow<'a, str>>,
    /// `generic_task`.
    #[serde(borrow)]
    job: Option<Cow<'a, str>>,
    /// `generic_node`.
    #[serde(borrow)]
    node_id: Option<Cow<'a, str>>,
}

/// The entry `labels` the model (and the component) reads.
#[derive(serde::Deserialize, Default, Debug)]
#[serde(default)]
pub(super) struct EntryLabels<'a> {
    #[serde(borrow)]
    pub(super) python_logger: Option<Cow<'a, str>>,
    /// Cloud Run, gen1 functions (`instance_id`).
    #[serde(borrow, rename = "instanceId", alias = "instance_id")]
    instance_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "run.googleapis.com/execution_name")]
    execution_name: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "run.googleapis.com/task_index")]
    task_index: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "run.googleapis.com/task_attempt")]
    task_attempt: Option<Cow<'a, str>>,
    /// The VM's name, on `gce_instance` (and the node's, on GKE containers).
    #[serde(borrow, rename = "compute.googleapis.com/resource_name")]
    resource_name: Option<Cow<'a, str>>,
    /// App Engine's instance.
    #[serde(borrow)]
    clone_id: Option<Cow<'a, str>>,
    /// A Deployment's pod template: with the pod name, its ReplicaSet.
    #[serde(borrow, rename = "k8s-pod/pod-template-hash")]
    pod_template_hash: Option<Cow<'a, str>>,
}

/// Label sets the scanner fills by name (`gcp::scan_entry`).
pub(super) trait Labels<'a> {
    /// The field named `key` (as serde names it, aliases too), if the model reads it.
    fn field(&mut self, key: &str) -> Option<&mut Option<Cow<'a, str>>>;
}

impl<'a> Labels<'a> for ResourceLabels<'a> {
    fn field(&mut self, key: &str) -> Option<&mut Option<Cow<'a, str>>> {
        Some(match key {
            "project_id" => &mut self.project_id,
            "service_name" => &mut self.service_name,
            "revision_name" => &mut self.revision_name,
            "job_name" => &mut self.job_name,
            "execution_name" => &mut self.execution_name,
            "function_name" => &mut self.function_name,
            "module_id" => &mut self.module_id,
            "version_id" => &mut self.version_id,
            "container_name" => &mut self.container_name,
            "namespace_name" => &mut self.namespace_name,
            "pod_name" => &mut self.pod_name,
            "node_name" => &mut self.node_name,
            "cluster_name" => &mut self.cluster_name,
            "instance_id" => &mut self.instance_id,
            "database_id" => &mut self.database_id,
            "build_id" => &mut self.build_id,
            "build_trigger_id" => &mut self.build_trigger_id,
            "job_id" => &mut self.job_id,
            "task_name" => &mut self.task_name,
            "forwarding_rule_name" => &mut self.forwarding_rule_name,
            "backend_service_name" => &mut self.backend_service_name,
            "backend_target_name" => &mut self.backend_target_name,
            "backend_name" => &mut self.backend_name,
            "bucket_name" => &mut self.bucket_name,
            "subnetwork_name" => &mut self.subnetwork_name,
            "queue_id" => &mut self.queue_id,
            "subscription_id" => &mut self.subscription_id,
            "topic_id" => &mut self.topic_id,
            "environment_name" => &mut self.environment_name,
            "connector_name" => &mut self.connector_name,
            "service" => &mut self.service,
            "job" => &mut self.job,
            "node_id" => &mut self.node_id,
            _ => return None,
        })
    }
}

impl<'a> Labels<'a> for EntryLabels<'a> {
    fn field(&mut self, key: &str) -> Option<&mut Option<Cow<'a, str>>> {
        Some(match key {
            "python_logger" => &mut self.python_logger,
            "instanceId" | "instance_id" => &mut self.instance_id,
            "run.googleapis.com/execution_name" => &mut self.execution_name,
            "run.googleapis.com/task_index" => &mut self.task_index,
            "run.googleapis.com/task_attempt" => &mut self.task_attempt,
            "compute.googleapis.com/resource_name" => &mut self.resource_name,
            "clone_id" => &mut self.clone_id,
            "k8s-pod/pod-template-hash" => &mut self.pod_template_hash,
            _ => return None,
        })
    }
}

/// Deserializes an optional field only from a JSON object (or `null`). serde's derived structs
/// also accept an array, field by field in order, so `"labels": ["a", "b"]` would silently fill
/// two labels; here it is a type error instead, which the lenient reader turns into an ignored
/// field. Costs nothing: the object is read by the same map access as before.
pub(super) fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    deserializer.deserialize_any(ObjectOnly(std::marker::PhantomData))
}

/// Where an entry belongs.
#[derive(Default)]
pub(super) struct Placement<'a> {
    pub(super) service: Cow<'a, str>,
    pub(super) revision: Option<Cow<'a, str>>,
    pub(super) instance: Option<Cow<'a, str>>,
}

/// What [`place`] reads.
pub(super) struct Where<'e, 'a> {
    pub(super) kind: Option<&'e str>,
    /// Labels are taken out of these as they are used.
    pub(super) resource: &'e mut ResourceLabels<'a>,
    pub(super) labels: &'e mut EntryLabels<'a>,
    pub(super) log_name: Option<&'e str>,
    /// `protoPayload.serviceName`, when the entry has one.
    pub(super) audited: Option<Cow<'a, str>>,
}

/// The service, revision and instance of an entry (the table in docs/resources.md).
pub(super) fn place<'a>(w: Where<'_, 'a>) -> Placement<'a> {
    if let Some(service) = audited_service(&w) {
        return Placement { service, revision: None, instance: None };
    }
    let Where { kind, resource: r, labels: l, log_name, .. } = w;
    let found = match kind.unwrap_or("") {
        "cloud_run_revision" => {
            of(r.service_name.take(), r.revision_name.take(), l.instance_id.take())
        }
        "cloud_run_job" => {
            let task = task_of(l.task_index.take(), l.task_attempt.take()).or(l.instance_id.take());
            of(r.job_name.take(), l.execution_name.take().or(r.execution_name.take()), task)
        }
        "cloud_function" => of(r.function_name.take(), None, l.instance_id.take()),
        "gae_app" => of(r.module_id.take(), r.version_id.take(), l.clone_id.take()),
        "k8s_container" => {
            let service = workload(r.namespace_name.take(), r.container_name.take());
            let revision = replica_set(r.pod_name.as_deref(), l.pod_template_hash.as_deref());
            of(service, revision, r.pod_name.take())
        }
        "k8s_pod" => {
            let owner = r.pod_name.as_deref().map(|p| Cow::Owned(pod_owner(p).to_string()));
            let revision = replica_set(r.pod_name.as_deref(), l.pod_template_hash.as_deref());
            of(workload(r.namespace_name.take(), owner), revision, r.pod_name.take())
        }
        "k8s_node" => of(r.node_name.clone(), None, r.node_name.take()),
        "k8s_cluster" | "gke_cluster" => of(r.cluster_name.take(), None, None),
        "gce_instance" => of(
            nonempty(l.resource_name.take()).or(r.instance_id.clone()),
            None,
            r.instance_id.take(),
        ),
        "cloudsql_database" => of(r.database_id.take(), None, None),
        "build" => {
            of(nonempty(r.build_trigger_id.take()).or(r.build_id.clone()), r.build_id.take(), None)
        }
        "ml_job" => of(r.job_id.take(), None, r.task_name.take()),
        "http_load_balancer" => {
            of(r.forwarding_rule_name.take(), r.backend_service_name.take(), None)
        }
        "internal_http_lb_rule" | "l7_lb_rule" | "https_lb_rule" => {
            of(r.forwarding_rule_name.take(), r.backend_target_name.take(), r.backend_name.take())
        }
        "gcs_bucket" => of(r.bucket_name.take(), None, None),
        "gce_subnetwork" => of(r.subnetwork_name.take(), None, None),
        "cloud_tasks_queue" => of(r.queue_id.take(), None, None),
        "pubsub_subscription" => of(r.subscription_id.take(), None, None),
        "pubsub_topic" => of(r.topic_id.take(), None, None),
        "cloud_scheduler_job" => of(r.job_id.take(), None, None),
        "cloud_composer_environment" => of(r.environment_name.take(), None, None),
        "dataflow_step" => of(r.job_name.take(), r.job_id.take(), None),
        "vpc_access_connector" => of(r.connector_name.take(), None, None),
        "audited_resource" | "api" => of(r.service.take(), None, None),
        "generic_task" => of(r.job.take(), None, None),
        "generic_node" => of(r.node_id.take(), None, None),
        _ => None,
    };
    found.unwrap_or_else(|| fallback(kind, r, log_name))
}

/// An audit log's service: the audited one. Audit logs are the entries of the
/// `cloudaudit.googleapis.com/...` logs; their resource is what was acted on.
fn audited_service<'a>(w: &Where<'_, 'a>) -> Option<Cow<'a, str>> {
    let service = nonempty(w.audited.clone())?;
    let log_id = w.log_name.and_then(|n| n.rsplit_once("/logs/")).map(|(_, id)| id)?;
    log_id.starts_with("cloudaudit.googleapis.com").then_some(service)
}

/// A placement from its parts, when the service is there.
fn of<'a>(
    service: Option<Cow<'a, str>>,
    revision: Option<Cow<'a, str>>,
    instance: Option<Cow<'a, str>>,
) -> Option<Placement<'a>> {
    Some(Placement {
        service: nonempty(service)?,
        revision: nonempty(revision),
        instance: nonempty(instance),
    })
}

/// An entry whose resource type is unknown or lacks the labels its rule reads: the service
/// from the labels that usually name one, else from the log name when a user chose it (a
/// client library's `my-app`), else the resource type; never a Google platform log name such
/// as `run.googleapis.com/stderr`, which names no service.
fn fallback<'a>(
    kind: Option<&str>,
    r: &mut ResourceLabels<'a>,
    log_name: Option<&str>,
) -> Placement<'a> {
    let found = of(r.service_name.take(), r.revision_name.take(), None)
        .or_else(|| of(r.job_name.take(), r.execution_name.take(), None))
        .or_else(|| of(workload(r.namespace_name.take(), r.container_name.take()), None, None))
        .or_else(|| of(r.function_name.take(), None, None))
        .or_else(|| of(r.module_id.take(), r.version_id.take(), None))
        .or_else(|| {
            let named =
                [&mut r.job_id, &mut r.cluster_name, &mut r.database_id, &mut r.bucket_name];
            named.into_iter().find_map(|n| of(n.take(), None, None))
        })
        .or_else(|| of(r.instance_id.take(), None, None));
    if let Some(found) = found {
        return found;
    }
    let own_log =
        log_name.map(log_id_of).filter(|id| !id.is_empty() && !id.contains(".googleapis.com"));
    let service = match (own_log, kind.filter(|k| !k.is_empty() && *k != "global")) {
        (Some(id), _) => id,
        (None, Some(kind)) => kind.to_string(),
        (None, None) => "unknown".to_string(),
    };
    Placement { service: Cow::Owned(service), revision: None, instance: None }
}

/// `namespace/name` for a Kubernetes workload.
fn workload<'a>(
    namespace: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
) -> Option<Cow<'a, str>> {
    let name = nonempty(name)?;
    Some(match nonempty(namespace) {
        Some(ns) => Cow::Owned(format!("{ns}/{name}")),
        None => name,
    })
}

/// A Cloud Run job task: `task 1 attempt 0`.
fn task_of<'a>(index: Option<Cow<'a, str>>, attempt: Option<Cow<'a, str>>) -> Option<Cow<'a, str>> {
    let index = nonempty(index)?;
    Some(Cow::Owned(match nonempty(attempt) {
        Some(a) => format!("task {index} attempt {a}"),
        None => format!("task {index}"),
    }))
}

/// A Deployment pod's ReplicaSet (`checkout-6d8f9c7b5` of `checkout-6d8f9c7b5-x2x4q` with the
/// pod template hash `6d8f9c7b5`): the pods of one rollout, Kubernetes' own revision.
fn replica_set<'a>(pod: Option<&str>, hash: Option<&str>) -> Option<Cow<'a, str>> {
    let (pod, hash) = (pod?, hash.filter(|h| !h.is_empty())?);
    let end = pod.find(&format!("-{hash}"))? + 1 + hash.len();
    Some(Cow::Owned(pod[..end].to_string()))
}

/// The workload a pod belongs to, from its name: without the random suffix and the ReplicaSet
/// hash of a Deployment's pod (`checkout-6d8f9c7b5-x2x4q` → `checkout`), without the ordinal of a
/// StatefulSet's (`ledger-sync-0` → `ledger-sync`). Kubernetes makes suffixes and hashes from an
/// alphabet without vowels (`bcdfghjklmnpqrstvwxz2456789`), so a word of the name is not taken
/// for one.
pub(super) fn pod_owner(pod: &str) -> &str {
    let generated = |part: &str, min: usize| {
        part.len() >= min && part.bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
    };
    let Some((rest, last)) = pod.rsplit_once('-') else { return pod };
    if !rest.is_empty() && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return rest;
    }
    if last.len() != 5 || !generated(last, 5) {
        return pod;
    }
    match rest.rsplit_once('-') {
        Some((owner, hash)) if !owner.is_empty() && generated(hash, 6) && hash.len() <= 10 => owner,
        _ => rest,
    }
}

/// `projects/p/logs/run.googleapis.com%2Fstderr` → `run.googleapis.com/stderr`.
pub(super) fn log_id_of(log_name: &str) -> String {
    let id = log_name.rsplit_once("/logs/").map(|(_, id)| id).unwrap_or(log_name);
    id.replace("%2F", "/").replace("%2f", "/")
}

fn nonempty(text: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    text.filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_owners() {
        assert_eq!(pod_owner("checkout-6d8f9c7b5-x2x4q"), "checkout");
        assert_eq!(pod_owner("ledger-sync-0"), "ledger-sync");
        assert_eq!(pod_owner("fluentbit-gke-x7k2p"), "fluentbit-gke");
        assert_eq!(pod_owner("checkout"), "checkout");
        // Words with vowels are not generated suffixes.
        assert_eq!(pod_owner("api-gateway"), "api-gateway");
        assert_eq!(pod_owner("web-front-abcde"), "web-front-abcde");
    }

    #[test]
    fn replica_sets() {
        assert_eq!(
            replica_set(Some("checkout-6d8f9c7b5-x2x4q"), Some("6d8f9c7b5")).as_deref(),
            Some("checkout-6d8f9c7b5")
        );
        assert_eq!(replica_set(Some("ledger-sync-0"), None), None);
        assert_eq!(replica_set(Some("a-b"), Some("zz")), None);
    }

    #[test]
    fn labels_must_be_objects() {
        let r: Resource = serde_json::from_str(r#"{"labels": null}"#).unwrap();
        assert!(r.labels.is_none());
        assert!(serde_json::from_str::<Resource>(r#"{"labels": ["a", "b"]}"#).is_err());
        let r: Resource =
            serde_json::from_str(r#"{"type": "x", "labels": {"service_name": "s"}}"#).unwrap();
        assert_eq!(r.labels.unwrap().service_name.as_deref(), Some("s"));
    }
}
