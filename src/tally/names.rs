//! Names (services, revisions, components, projects) as dense ids: per batch on the parsing
//! threads, mapped to the collector's ids on first use.

use rustc_hash::FxHashMap as HashMap;

/// Names to dense ids; id 0 is "none" when `with_none`.
#[derive(Default)]
pub(crate) struct Interner {
    pub(crate) names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    pub(crate) fn new(with_none: bool) -> Interner {
        let names = if with_none { vec![String::new()] } else { Vec::new() };
        Interner { names, ids: HashMap::default() }
    }

    pub(crate) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub(super) fn opt(&mut self, name: Option<&str>) -> u32 {
        name.map_or(0, |n| self.id(n))
    }
}

/// A batch's own name ids mapped to the collector's, each on first use, so that names are
/// numbered in the order entries are taken (dropped entries add no names).
pub(super) struct NameMap<'a> {
    local: &'a Interner,
    global: Vec<u32>,
}

impl<'a> NameMap<'a> {
    pub(super) fn new(local: &'a Interner) -> NameMap<'a> {
        NameMap { local, global: vec![u32::MAX; local.names.len()] }
    }

    pub(super) fn map(&mut self, id: u32, global: &mut Interner, with_none: bool) -> u32 {
        if with_none && id == 0 {
            return 0;
        }
        let slot = &mut self.global[id as usize];
        if *slot == u32::MAX {
            *slot = global.id(&self.local.names[id as usize]);
        }
        *slot
    }
}
