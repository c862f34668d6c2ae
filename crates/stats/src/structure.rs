//! The shape scores are aggregated over: dimensions and their sub-dimensions.

use serde::{Deserialize, Serialize};

use crate::questionnaire::{Questionnaire, natural_cmp};

/// Dimensions (e.g. `papi.d1`) with the codes of their sub-dimensions (e.g. `papi.d1.s1`), in
/// the order results are reported. "Total undefined when any dimension is" refers to these
/// dimensions: list every dimension of the framework year, even those the questionnaire does
/// not measure, when the total must be the framework's total.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Structure {
    pub dimensions: Vec<(String, Vec<String>)>,
}

impl Structure {
    /// The structure implied by the questionnaire's nodes: a node's dimension is its code
    /// before the last `.` (`papi.d2.s3` → `papi.d2`). Only what the questionnaire measures is
    /// included; codes are in natural order (`d2` before `d10`).
    pub fn from_node_codes(q: &Questionnaire) -> Self {
        let mut dims: Vec<(String, Vec<String>)> = Vec::new();
        for ind in &q.indicators {
            let dim = ind.dimension();
            let pos = match dims.iter().position(|(d, _)| d == dim) {
                Some(p) => p,
                None => {
                    dims.push((dim.to_string(), Vec::new()));
                    dims.len() - 1
                }
            };
            let subs = &mut dims[pos].1;
            if !subs.iter().any(|s| s == &ind.node) {
                subs.push(ind.node.clone());
            }
        }
        dims.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        for (_, subs) in &mut dims {
            subs.sort_by(|a, b| natural_cmp(a, b));
        }
        Structure { dimensions: dims }
    }

    /// The structure of a framework tree (as cut for one year by
    /// `chiso_core::framework::Framework::tree_for_year`): the root's children are the
    /// dimensions, their children the sub-dimensions.
    pub fn from_framework_tree(root: &chiso_core::framework::Node) -> Self {
        Structure {
            dimensions: root.children.iter().map(|d| (d.code.clone(), d.children.iter().map(|s| s.code.clone()).collect())).collect(),
        }
    }

    /// Number of sub-dimensions over all dimensions.
    pub fn sub_dimension_count(&self) -> usize {
        self.dimensions.iter().map(|(_, s)| s.len()).sum()
    }
}
