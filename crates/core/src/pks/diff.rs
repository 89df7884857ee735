//! Comparing two versions of a draft, article by article and word by word.

use super::{Article, resolve_references};
use serde::Serialize;

/// How an article changed from one version to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Changed,
    Added,
    Removed,
}

/// A run of words, marked when it differs from the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub text: String,
    pub changed: bool,
}

/// One article side by side: the old text and the new one, line by line, each line split into
/// segments so a page can mark the words that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleDiff {
    pub number: u32,
    pub old_title: Option<String>,
    pub new_title: Option<String>,
    pub change: Change,
    pub old: Vec<Vec<Segment>>,
    pub new: Vec<Vec<Segment>>,
}

/// Compares two versions article by article (articles are matched by number), marking the
/// words that were removed on the old side and the words that were added on the new side.
/// The texts compared are the resolved ones ([`resolve_references`]): what the PKS reads, so a
/// reference whose number changed shows as a change, and a key alone is no change.
pub fn diff(old: &[Article], new: &[Article]) -> Vec<ArticleDiff> {
    let (old, new) = (resolve_references(old), resolve_references(new));
    let count = old.len().max(new.len());
    (0..count)
        .map(|i| {
            let (o, n) = (old.get(i), new.get(i));
            let change = match (o, n) {
                (Some(o), Some(n)) if o.title == n.title && o.paragraphs == n.paragraphs => {
                    Change::Same
                }
                (Some(_), Some(_)) => Change::Changed,
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
            };
            let o_lines = o.map(Article::lines).unwrap_or_default();
            let n_lines = n.map(Article::lines).unwrap_or_default();
            let (old_side, new_side) = diff_lines(&o_lines, &n_lines);
            ArticleDiff {
                number: n.or(o).map_or(i as u32 + 1, |a| a.number),
                old_title: o.map(|a| a.title.clone()),
                new_title: n.map(|a| a.title.clone()),
                change,
                old: old_side,
                new: new_side,
            }
        })
        .collect()
}

/// Word-level comparison of two texts given as lines: the longest common subsequence of words
/// stays unmarked, everything else is marked on its side.
fn diff_lines(old: &[String], new: &[String]) -> (Vec<Vec<Segment>>, Vec<Vec<Segment>>) {
    // Words with the line they belong to, so the marks can be put back line by line.
    let words = |lines: &[String]| -> Vec<(usize, String)> {
        lines
            .iter()
            .enumerate()
            .flat_map(|(l, s)| s.split_whitespace().map(move |w| (l, w.to_string())))
            .collect()
    };
    let (a, b) = (words(old), words(new));
    let kept = lcs(&a, &b);
    let sides = |lines: &[String], words: &[(usize, String)], kept: &[bool]| {
        let mut out: Vec<Vec<Segment>> = vec![Vec::new(); lines.len()];
        for ((line, word), keep) in words.iter().zip(kept) {
            let segments = &mut out[*line];
            match segments.last_mut() {
                Some(last) if last.changed != *keep => {
                    last.text.push(' ');
                    last.text.push_str(word);
                }
                _ => segments.push(Segment {
                    text: word.clone(),
                    changed: !keep,
                }),
            }
        }
        out
    };
    (sides(old, &a, &kept.0), sides(new, &b, &kept.1))
}

/// Which words of `a` and of `b` belong to their longest common subsequence.
fn lcs(a: &[(usize, String)], b: &[(usize, String)]) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: the LCS length of a[i..] and b[j..]. The sizes are bounded by the draft
    // limits (one article), so the quadratic table stays small.
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if a[i].1 == b[j].1 {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut keep_a, mut keep_b) = (vec![false; n], vec![false; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].1 == b[j].1 {
            keep_a[i] = true;
            keep_b[j] = true;
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (keep_a, keep_b)
}
