//! Reporting schedules: the periods of a year with their data windows and due dates per level, the policy they
//! are built with (who reports to whom, working-day offsets, the grace before a period locks), and checks.

use super::{DateWindow, Frequency, Period, PeriodKind, iso_date};
use crate::calendar::Calendar;
use crate::text::vn_date_short;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// Where a date of a schedule comes from, so the interface can show what was read and what was assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The default rule (Nghị định 09/2019 windows, the policy's working-day offsets).
    Rule,
    /// Read from the plan's text.
    Plan,
    /// Computed from a date that was read (a higher level's due date, a window clipped before a deadline).
    Derived,
    /// Set by a user.
    Manual,
}

/// When one level's reports are due and to whom they go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDue {
    /// The level of the units that report (a unit level code: "commune", "district", "province").
    pub level: String,
    /// The level they report to; None at the top of the chain.
    pub reports_to: Option<String>,
    /// Last day to submit (a report submitted any time that day, Vietnam time, is on time).
    #[serde(with = "iso_date")]
    pub due: Date,
    pub source: DateSource,
}

/// One period of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledPeriod {
    pub period: Period,
    pub window: DateWindow,
    pub window_source: DateSource,
    /// Lowest level first; each due date is after the previous one.
    pub dues: Vec<LevelDue>,
    /// The plan texts these dates were read from.
    #[serde(default)]
    pub texts: Vec<String>,
}

impl ScheduledPeriod {
    /// The period with the Nghị định 09 window and the policy's default due dates. None for ad hoc periods.
    pub fn nd09(period: Period, policy: &SchedulePolicy, cal: &Calendar) -> Option<ScheduledPeriod> {
        let window = period.nd09_window()?;
        Some(ScheduledPeriod {
            period,
            window,
            window_source: DateSource::Rule,
            dues: policy.default_dues(window.to, cal),
            texts: Vec::new(),
        })
    }

    /// Due date for units of `level` (None if the level is not in this schedule's chain).
    pub fn due_for(&self, level: &str) -> Option<Date> {
        self.dues.iter().find(|d| d.level == level).map(|d| d.due)
    }

    /// Due date for an agency of a unit of `unit_level`: an agency reports to its own unit together with that
    /// unit's children, so it has their due date. Agencies of the lowest level (whose unit has no reporting
    /// children) get the lowest level's due date.
    pub fn due_for_agency_of(&self, unit_level: &str) -> Option<Date> {
        if let Some(d) = self.dues.iter().find(|d| d.reports_to.as_deref() == Some(unit_level)) {
            return Some(d.due);
        }
        match self.dues.first() {
            Some(first) if first.level == unit_level => Some(first.due),
            _ => None,
        }
    }

    /// The level units of `level` report to.
    pub fn reports_to(&self, level: &str) -> Option<&str> {
        self.dues.iter().find(|d| d.level == level).and_then(|d| d.reports_to.as_deref())
    }

    /// Last day a report of `level` is still accepted: the due date plus the grace in working days.
    pub fn lock_date(&self, level: &str, grace_working_days: u32, cal: &Calendar) -> Option<Date> {
        let due = self.due_for(level)?;
        Some(cal.add_working_days(due, i32::try_from(grace_working_days).unwrap_or(i32::MAX)))
    }

    /// Whether submissions of `level` are refused on `today` (the grace after the due date has passed).
    /// Unknown levels are never locked.
    pub fn is_locked(&self, level: &str, today: Date, grace_working_days: u32, cal: &Calendar) -> bool {
        self.lock_date(level, grace_working_days, cal).is_some_and(|l| today > l)
    }
}

/// The rules a schedule is built with. Plain data so an administrator can configure it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulePolicy {
    /// Who reports to whom, lowest level first: each level reports to the next. The last reports outside the
    /// system (to the central level, or to the unit's own chairman).
    pub chain: Vec<String>,
    /// Working days after the end of the data window each level of `chain` is due; a missing entry is the
    /// previous one plus 2.
    pub due_offsets: Vec<u32>,
    /// Working days after the due date during which a late report is still accepted; then the period is locked.
    pub lock_grace_working_days: u32,
    /// The periods of a default year: the usual cycle quarter I, 6 months, 9 months (quarter III), year — the
    /// 6-month report stands for quarter II and the year report for quarter IV.
    pub kinds: Vec<PeriodKind>,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy {
            chain: vec!["commune".into(), "district".into(), "province".into()],
            due_offsets: vec![2, 3, 5],
            lock_grace_working_days: 10,
            kinds: vec![PeriodKind::Quarter(1), PeriodKind::Half(1), PeriodKind::Quarter(3), PeriodKind::Year],
        }
    }
}

impl SchedulePolicy {
    /// The two-level local government in force since 1 July 2025: communes report straight to the province.
    pub fn two_tier() -> SchedulePolicy {
        SchedulePolicy { chain: vec!["commune".into(), "province".into()], due_offsets: vec![2, 5], ..SchedulePolicy::default() }
    }

    /// The same rules for a plan whose reporting starts at `lowest_level` (e.g. "district" for a provincial
    /// plan whose children are districts and departments): the chain is cut to start there.
    pub fn starting_at(&self, lowest_level: &str) -> SchedulePolicy {
        let mut p = self.clone();
        if let Some(i) = self.chain.iter().position(|l| l == lowest_level) {
            p.chain = self.chain[i..].to_vec();
            p.due_offsets = (i..self.chain.len()).map(|k| self.offset(k)).collect();
        }
        p
    }

    /// The same rules keeping only the levels in `levels` (each keeps its own offset); unchanged when none of
    /// the chain is in `levels`.
    pub fn keeping(&self, levels: &[&str]) -> SchedulePolicy {
        let kept: Vec<usize> = (0..self.chain.len()).filter(|&i| levels.contains(&self.chain[i].as_str())).collect();
        if kept.is_empty() {
            return self.clone();
        }
        SchedulePolicy {
            chain: kept.iter().map(|&i| self.chain[i].clone()).collect(),
            due_offsets: kept.iter().map(|&i| self.offset(i)).collect(),
            ..self.clone()
        }
    }

    /// The rules for a plan of a unit: its children report first, then the unit, then its ancestors.
    /// - `path_levels`: the unit's level and its ancestors' levels;
    /// - `child_levels`: the levels of its child units in force; `levels_by_depth`: every unit level the
    ///   system knows, from the top down.
    ///
    /// The chain starts at the level of the unit's children (the shallowest one when they differ), or, for a
    /// unit without children, at the next deeper level; levels the unit's path skips are left out, so communes
    /// directly under a province (the two-level government since 1 July 2025) report straight to it. Levels
    /// are data: nothing here names one.
    pub fn for_plan_of(&self, path_levels: &[&str], child_levels: &[&str], levels_by_depth: &[&str]) -> SchedulePolicy {
        let depth = |l: &str| levels_by_depth.iter().position(|x| *x == l);
        let below = child_levels
            .iter()
            .copied()
            .filter_map(|l| Some((depth(l)?, l)))
            .min()
            .map(|(_, l)| l)
            .or_else(|| path_levels.first().and_then(|l| depth(l)).and_then(|d| levels_by_depth.get(d + 1).copied()));
        let Some(below) = below else { return self.clone() };
        let mut on_path = vec![below];
        on_path.extend_from_slice(path_levels);
        self.starting_at(below).keeping(&on_path)
    }

    fn offset(&self, i: usize) -> u32 {
        if let Some(o) = self.due_offsets.get(i) {
            return *o;
        }
        // Past the configured entries: 2 more working days per level.
        let extra = u32::try_from(i + 1 - self.due_offsets.len()).unwrap_or(u32::MAX);
        self.due_offsets.last().copied().unwrap_or(0).saturating_add(extra.saturating_mul(2))
    }

    /// Default dues for a window ending on `end`: each level its offset in working days after `end`, never
    /// earlier than one working day after the level below.
    pub fn default_dues(&self, end: Date, cal: &Calendar) -> Vec<LevelDue> {
        let mut out: Vec<LevelDue> = Vec::new();
        for (i, level) in self.chain.iter().enumerate() {
            let mut due = cal.add_working_days(end, i32::try_from(self.offset(i).max(1)).unwrap_or(i32::MAX));
            if let Some(prev) = out.last()
                && due <= prev.due
            {
                due = cal.add_working_days(prev.due, 1);
            }
            out.push(LevelDue { level: level.clone(), reports_to: self.chain.get(i + 1).cloned(), due, source: DateSource::Rule });
        }
        out
    }

    /// Complete dues read from a plan (ascending, assigned to the chain from the bottom): levels above the last
    /// date read get `Derived` dates that keep the policy's spacing.
    pub(super) fn dues_from(&self, dates: &[Date], cal: &Calendar) -> Vec<LevelDue> {
        let mut out: Vec<LevelDue> = Vec::new();
        for (i, level) in self.chain.iter().enumerate() {
            let (due, source) = match (dates.get(i), out.last()) {
                (Some(d), _) => (*d, DateSource::Plan),
                (None, Some(prev)) => {
                    let gap = self.offset(i).saturating_sub(self.offset(i - 1)).max(1);
                    (cal.add_working_days(prev.due, i32::try_from(gap).unwrap_or(i32::MAX)), DateSource::Derived)
                }
                (None, None) => break,
            };
            out.push(LevelDue { level: level.clone(), reports_to: self.chain.get(i + 1).cloned(), due, source });
        }
        out
    }
}

/// A problem with a schedule, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleProblem {
    pub period: String,
    pub message: String,
}

impl fmt::Display for ScheduleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kỳ {}: {}", self.period, self.message)
    }
}

/// A reporting schedule: the periods of a plan (or of a unit's year) with windows and due dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub year: i32,
    pub chain: Vec<String>,
    pub lock_grace_working_days: u32,
    /// In order of the end of their data windows.
    pub periods: Vec<ScheduledPeriod>,
    /// What was read, assumed or ignored when the schedule was built (Vietnamese, for the user to review).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Schedule {
    /// The default schedule of a year under Nghị định 09/2019 and the policy.
    pub fn nd09(year: i32, policy: &SchedulePolicy, cal: &Calendar) -> Schedule {
        let mut s = Schedule::empty(year, policy);
        for k in &policy.kinds {
            if let Some(sp) = Period::new(year, *k).and_then(|p| ScheduledPeriod::nd09(p, policy, cal)) {
                s.upsert(sp);
            }
        }
        s
    }

    pub(super) fn empty(year: i32, policy: &SchedulePolicy) -> Schedule {
        Schedule {
            year,
            chain: policy.chain.clone(),
            lock_grace_working_days: policy.lock_grace_working_days,
            periods: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// This schedule, or the Nghị định 09 default when it has no period (a plan that set no dates); notes kept.
    pub fn or_nd09(self, policy: &SchedulePolicy, cal: &Calendar) -> Schedule {
        if !self.periods.is_empty() {
            return self;
        }
        let mut d = Schedule::nd09(self.year, policy, cal);
        d.notes = self.notes;
        d.notes.push("Kế hoạch không nêu kỳ báo cáo: dùng lịch mặc định theo Nghị định 09/2019/NĐ-CP.".into());
        d
    }

    /// Add a period or replace the one with the same code; keeps the order.
    pub fn upsert(&mut self, sp: ScheduledPeriod) {
        self.periods.retain(|p| p.period != sp.period);
        self.periods.push(sp);
        self.periods.sort_by_key(|p| (p.window.to, p.window.from, p.period));
    }

    pub fn get(&self, period: Period) -> Option<&ScheduledPeriod> {
        self.periods.iter().find(|p| p.period == period)
    }

    /// The periods whose data window holds `d` (several: a quarter, the half-year and the year overlap).
    pub fn periods_containing(&self, d: Date) -> Vec<&ScheduledPeriod> {
        self.periods.iter().filter(|p| p.window.contains(d)).collect()
    }

    /// The period of a frequency whose data window holds `d`.
    pub fn period_containing(&self, d: Date, freq: Frequency) -> Option<&ScheduledPeriod> {
        self.periods.iter().find(|p| p.period.frequency() == freq && p.window.contains(d))
    }

    /// Whether submissions of `level` for `period` are refused on `today`. Periods not in the schedule are
    /// never locked.
    pub fn is_locked(&self, period: Period, level: &str, today: Date, cal: &Calendar) -> bool {
        self.get(period).is_some_and(|p| p.is_locked(level, today, self.lock_grace_working_days, cal))
    }

    /// Check the schedule: windows well formed, due dates rising up the chain, at least one working day between
    /// the end of the data and the first deadline (Nghị định 09/2019, Điều 8 khoản 5).
    pub fn validate(&self, cal: &Calendar) -> Vec<ScheduleProblem> {
        let mut out = Vec::new();
        for p in &self.periods {
            let code = p.period.code();
            let mut bad = |message: String| out.push(ScheduleProblem { period: code.clone(), message });
            if p.window.to < p.window.from {
                bad(format!("ngày kết thúc số liệu {} trước ngày bắt đầu {}", vn_date_short(p.window.to), vn_date_short(p.window.from)));
            }
            if p.dues.is_empty() {
                bad("chưa có hạn gửi báo cáo".into());
            }
            for w in p.dues.windows(2) {
                if w[1].due <= w[0].due {
                    bad(format!(
                        "hạn của cấp {} ({}) phải sau hạn của cấp {} ({}) để kịp tổng hợp",
                        w[1].level,
                        vn_date_short(w[1].due),
                        w[0].level,
                        vn_date_short(w[0].due)
                    ));
                }
            }
            if let Some(first) = p.dues.first()
                && strictly_between(cal, p.window.to, first.due) < 1
            {
                bad(format!(
                    "cần ít nhất 01 ngày làm việc giữa ngày chốt số liệu ({}) và hạn gửi báo cáo ({}) (Nghị định 09/2019/NĐ-CP, Điều 8)",
                    vn_date_short(p.window.to),
                    vn_date_short(first.due)
                ));
            }
        }
        out
    }
}

/// Working days strictly after `a` and strictly before `b`.
pub(super) fn strictly_between(cal: &Calendar, a: Date, b: Date) -> i32 {
    let n = cal.working_days_between(a, b);
    if n > 0 && cal.is_working_day(b) { n - 1 } else { n }
}

/// The latest end of data that leaves one working day before `due`.
pub(super) fn clip_before(cal: &Calendar, due: Date) -> Option<Date> {
    cal.add_working_days(due, -1).previous_day()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn default_schedule_counts_working_days() {
        let cal = Calendar::vietnam();
        let s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal);
        let codes: Vec<String> = s.periods.iter().map(|p| p.period.code()).collect();
        assert_eq!(codes, ["2022-Q1", "2022-H1", "2022-Q3", "2022-Y"]);
        let q1 = s.get(Period::quarter(2022, 1).expect("q1")).expect("in schedule");
        // Data end Monday 14/3/2022: communes +2 working days, districts +3, provinces +5.
        assert_eq!(q1.due_for("commune"), Some(date!(2022 - 03 - 16)));
        assert_eq!(q1.due_for("district"), Some(date!(2022 - 03 - 17)));
        assert_eq!(q1.due_for("province"), Some(date!(2022 - 03 - 21)));
        assert_eq!(q1.reports_to("commune"), Some("district"));
        assert_eq!(q1.reports_to("province"), None);
        // District agencies report to the district with the communes; commune agencies with the communes.
        assert_eq!(q1.due_for_agency_of("district"), Some(date!(2022 - 03 - 16)));
        assert_eq!(q1.due_for_agency_of("province"), Some(date!(2022 - 03 - 17)));
        assert_eq!(q1.due_for_agency_of("commune"), Some(date!(2022 - 03 - 16)));
        assert!(s.validate(&cal).is_empty());

        // February 2024's data ends on 14/2/2024, inside Tết (8–14/2): dues move past it.
        let pol = SchedulePolicy { kinds: vec![PeriodKind::Month(2)], ..SchedulePolicy::default() };
        let m = Schedule::nd09(2024, &pol, &cal);
        assert_eq!(m.periods[0].due_for("commune"), Some(date!(2024 - 02 - 16)));

        let two = Schedule::nd09(2026, &SchedulePolicy::two_tier(), &cal);
        assert_eq!(two.periods[0].dues.len(), 2);
        assert_eq!(two.periods[0].reports_to("commune"), Some("province"));
    }

    #[test]
    fn locking_after_grace() {
        let cal = Calendar::vietnam();
        let s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal);
        let q1 = Period::quarter(2022, 1).expect("q1");
        // Commune due 16/3/2022; 10 working days of grace end on 30/3/2022.
        assert_eq!(s.get(q1).and_then(|p| p.lock_date("commune", 10, &cal)), Some(date!(2022 - 03 - 30)));
        assert!(!s.is_locked(q1, "commune", date!(2022 - 03 - 30), &cal));
        assert!(s.is_locked(q1, "commune", date!(2022 - 03 - 31), &cal));
        assert!(!s.is_locked(q1, "village", date!(2030 - 01 - 01), &cal));
        assert!(!s.is_locked(Period::quarter(2022, 2).expect("q2"), "commune", date!(2030 - 01 - 01), &cal));
    }

    #[test]
    fn custom_schedules_are_validated() {
        let cal = Calendar::vietnam();
        let mut s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal);
        let q1 = Period::quarter(2022, 1).expect("q1");
        let mut sp = s.get(q1).cloned().expect("q1");
        sp.dues[0].due = date!(2022 - 03 - 15); // the day after the data ends: no working day between
        sp.dues[1].due = date!(2022 - 03 - 14);
        sp.dues[0].source = DateSource::Manual;
        s.upsert(sp);
        let problems = s.validate(&cal);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.period == "2022-Q1"));
        assert!(problems.iter().any(|p| p.message.contains("Điều 8")));
        let json = serde_json::to_string(&s).expect("json");
        assert!(json.contains("\"2022-03-15\""), "{json}");
        let back: Schedule = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, s);
    }

    #[test]
    fn a_plans_chain_follows_the_unit_tree() {
        let depth = ["province", "district", "commune", "village"];
        let default = SchedulePolicy::default();
        // A district whose children are communes: the full chain.
        let d = default.for_plan_of(&["district", "province"], &["commune"], &depth);
        assert_eq!(d.chain, ["commune", "district", "province"]);
        // A province with districts: from the districts up, with their offsets.
        let p = default.for_plan_of(&["province"], &["district"], &depth);
        assert_eq!(p.chain, ["district", "province"]);
        assert_eq!(p.due_offsets, [3, 5]);
        // Since 1 July 2025 communes sit under the province: they report to it directly (the two-tier policy).
        let two = default.for_plan_of(&["province"], &["commune"], &depth);
        assert_eq!(two.chain, SchedulePolicy::two_tier().chain);
        assert_eq!(two.due_offsets, [2, 5]);
        // A commune: its children (villages) do not report; without children, the next deeper level is used.
        assert_eq!(default.for_plan_of(&["commune", "district", "province"], &[], &depth).chain, default.chain);
        // Other level names are data like any other.
        let custom = SchedulePolicy { chain: vec!["ward".into(), "city".into()], due_offsets: vec![2, 4], ..SchedulePolicy::default() };
        assert_eq!(custom.for_plan_of(&["city"], &[], &["city", "ward"]).chain, ["ward", "city"]);
    }
}
