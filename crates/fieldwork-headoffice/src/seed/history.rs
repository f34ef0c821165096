//! The demo's past: the team's repairs of the last four weeks, finished and (most of them) closed,
//! so head office has KPIs to show and the knowledge base has past fixes to suggest. Every job
//! goes the way a real one does: a dispatcher creates and books it, the technician's laptop
//! pushes the visit (moves, checklist, diagnosis, parts, resolution, time, the customer's rating)
//! through the sync service, and a dispatcher closes it. Past fixes come from the service's own
//! rule on the completed and closed jobs, never from the seed.
//!
//! The faults are the knowledge base's: each case names a brand, a model and a fault code a
//! demo article explains, with what the technician found and did, in English and Chinese.
//!
//! Among them is the scenario: two technicians have fixed E4 on a Midea MG100V11F
//! washing machine in the last weeks, and tech1 has one booked today ([`midea_e4_today`]).

use chrono::{DateTime, Duration, Offset, Utc};
use fieldwork_domain::domain::{
    ChecklistItemKind, ChecklistValue, EquipmentCategory, Feedback, JobStatus, JobType, Note,
    PartUsed, Priority, TimeEntry, TimeEntrySource, WorkOrder,
};
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::kb_field::{ArticleOutcome, ArticleUse};
use fieldwork_domain::lifecycle::derived_time_entry;
use fieldwork_domain::mutation::{JobField, Mutation, OutboxEntry};
use fieldwork_domain::schedule::{self, Window, WorkingHours};
use fieldwork_domain::seed::content;
use fieldwork_wire::wire::{Outcome, PushRequest};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::secrets::{new_token, token_hash};
use crate::store::{
    ArticleListItem, ArticleQuery, CustomerInput, DeviceCaller, Dispatcher, EquipmentInput,
    FollowUpInput, HeadOfficeStore, JobInput, ScheduleInput, SiteInput,
};

/// A technician of the demo with the laptop their visits are pushed from.
pub(super) struct Crew {
    pub technician_id: String,
    pub user_id: String,
    pub user_name: String,
}

/// Words in English and in Chinese.
type Both = (&'static str, &'static str);

/// A second visit to the same fault: what the technician found and did the next time.
struct Again {
    diagnosis: Both,
    resolution: Both,
    parts: &'static [&'static str],
}

/// One kind of repair the team does, as a demo article explains it.
struct Case {
    category: EquipmentCategory,
    brand: &'static str,
    model: &'static str,
    problem: Both,
    diagnosis: Both,
    resolution: Both,
    parts: &'static [&'static str],
    /// When set, some of these repairs needed a return visit.
    again: Option<Again>,
}

use EquipmentCategory as C;

/// The Midea washing machine of the scenario.
const MIDEA_WASHER: &str = "MG100V11F";

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case {
        category: C::WashingMachine, brand: "Little Swan", model: "TG100V88WMUIADY5",
        problem: ("Washing machine won't drain or spin, shows E21", "洗衣机不排水不脱水，显示E21"),
        diagnosis: ("Drain filter blocked with coins and hair grips; pump impeller free", "排水过滤器被硬币和发夹堵住，排水泵叶轮转动正常"),
        resolution: ("Cleared and refitted the drain filter, Rinse + Spin drained in 2 minutes", "清理并装回排水过滤器，漂洗+脱水2分钟内排空"),
        parts: &[],
        again: Some(Again {
            diagnosis: ("E21 again: drain pump coil open circuit", "再次报E21：排水泵线圈开路"),
            resolution: ("Replaced the drain pump, drain and full spin tested OK", "更换排水泵，排水和高速脱水测试正常"),
            parts: &["WM-PUMP-DRN-01"],
        }),
    },
    Case {
        category: C::WashingMachine, brand: "Haier", model: "EG100MATE2S",
        problem: ("Water left in the drum, Err2 on the display", "桶里有积水，显示Err2"),
        diagnosis: ("Drain pump seized, coil reads open circuit", "排水泵卡死，线圈开路"),
        resolution: ("Replaced the drain pump and cleaned the filter housing; drains within 2 minutes", "更换排水泵并清洗过滤器腔体，2分钟内排空"),
        parts: &["WM-PUMP-DRN-01", "WM-FLT-DRN"],
        again: None,
    },
    Case {
        category: C::WashingMachine, brand: "Bosch", model: "WAN28281GB",
        problem: ("Bosch washer stops with E18, water left in the drum", "博世洗衣机显示E18，桶里有水"),
        diagnosis: ("Pump filter blocked with lint and a sock; drain hose fine", "排水泵过滤器被线屑和一只袜子堵住，排水管正常"),
        resolution: ("Cleaned the pump filter and housing, drain test cleared in 90 seconds", "清洗排水泵过滤器和泵腔，排水测试90秒内排空"),
        parts: &[],
        again: None,
    },
    Case {
        category: C::WashingMachine, brand: "Bosch", model: "WGG244A9GB",
        problem: ("Drum not turning, E21 shown and the programme stops", "滚筒不转，显示E21，程序停止"),
        diagnosis: ("Motor carbon brushes worn to 6 mm, commutator sound", "电机碳刷磨损到6mm，换向器正常"),
        resolution: ("Replaced the carbon brushes as a pair, spin reaches full speed with no E21", "成对更换碳刷，脱水达到全速，不再报E21"),
        parts: &["WM-BRUSH-PAIR"],
        again: Some(Again {
            diagnosis: ("E21 back: drum free and motor tests good, no drive from the power module", "又报E21：滚筒转动自如，电机正常，电源模块无驱动输出"),
            resolution: ("Replaced and coded the control module, spin-only programme OK", "更换并编码控制模块，单脱水程序正常"),
            parts: &["WM-PCB-MAIN"],
        }),
    },
    Case {
        category: C::WashingMachine, brand: "Siemens", model: "WM14N202GB",
        problem: ("Fills very slowly, E17 after a few minutes", "进水很慢，几分钟后显示E17"),
        diagnosis: ("Inlet valve filter mesh blocked with scale", "进水阀滤网被水垢堵住"),
        resolution: ("Cleaned the inlet mesh and fitted a new inlet hose; fills in 2 minutes", "清洗进水滤网并更换进水管，2分钟内进到水位"),
        parts: &["GEN-HOSE-IN-15"],
        again: None,
    },
    Case {
        category: C::AirConditioner, brand: "Gree", model: "KFR-35GW/(35592)FNhAa-B1",
        problem: ("Air conditioner stops after a few minutes with E1", "空调开机几分钟后显示E1停机"),
        diagnosis: ("Outdoor fan motor bearings worn, fan turning slowly; coil dirty", "外风机轴承磨损，转速偏低；冷凝器脏堵"),
        resolution: ("Replaced the outdoor fan motor and washed the outdoor coil, ran 30 minutes without E1", "更换外风机电机并清洗冷凝器，运行30分钟不再报E1"),
        parts: &["AC-FAN-ODU"],
        again: None,
    },
    Case {
        category: C::AirConditioner, brand: "Midea", model: "KFR-35GW/BpR3DN8Y-KW200(1)",
        problem: ("Midea air conditioner shows E1, outdoor unit not starting", "美的空调显示E1，外机不启动"),
        diagnosis: ("Communication fault: signal wire loose at the outdoor terminal block", "通讯故障：外机接线端子上的信号线松脱"),
        resolution: ("Re-terminated the signal wire and tightened the terminal block, unit communicating", "重新压接信号线并紧固接线端子，内外机通讯正常"),
        parts: &[],
        again: Some(Again {
            diagnosis: ("E1 returned: wiring good, indoor board not sending on the signal line", "又报E1：接线良好，内机主板信号线无输出"),
            resolution: ("Replaced the indoor control board, no E1 after an hour's run", "更换室内机主控板，运行一小时不再报E1"),
            parts: &["AC-PCB-IDU"],
        }),
    },
    Case {
        category: C::AirConditioner, brand: "Daikin", model: "FTXM35R",
        problem: ("Daikin unit flashing U4, not cooling", "大金空调闪U4，不制冷"),
        diagnosis: ("U4 communication error: indoor board relay burnt", "U4通讯故障：内机主板继电器烧坏"),
        resolution: ("Replaced the indoor PCB and set the address, cooling normally", "更换内机电脑板并设置地址，制冷正常"),
        parts: &["AC-PCB-IDU"],
        again: None,
    },
    Case {
        category: C::WaterHeater, brand: "Haier", model: "EC6002-MC3",
        problem: ("Electric water heater shows E4, no hot water", "电热水器显示E4，没有热水"),
        diagnosis: ("Thermostat contacts welded, tank overheating to the cut-out", "温控器触点粘连，水温过高触发保护"),
        resolution: ("Replaced the thermostat, heater stops at the set temperature without E4", "更换温控器，加热到设定温度自动停止，不再报E4"),
        parts: &["WH-THERM"],
        again: None,
    },
    Case {
        category: C::WaterHeater, brand: "Midea", model: "F6021-X1(S)",
        problem: ("Water heater E4 after heating, water very hot before it failed", "热水器加热后报E4，故障前水特别烫"),
        diagnosis: ("Temperature sensor reading low, board overheating the tank", "温度传感器读数偏低，主板持续加热导致超温"),
        resolution: ("Replaced the main control board, tested a full tank to the set temperature", "更换主控板，烧满一箱水到设定温度测试正常"),
        parts: &["WH-PCB-MAIN"],
        again: None,
    },
    Case {
        category: C::WaterHeater, brand: "A.O. Smith", model: "JSQ31-VJ",
        problem: ("Gas water heater won't light, E1 shown", "燃气热水器打不着火，显示E1"),
        diagnosis: ("Ignition electrode gap too wide and sooted", "点火针间隙过大且积碳"),
        resolution: ("Replaced the ignition electrode and tightness-tested the gas joint", "更换点火针，燃气接头气密性检测合格"),
        parts: &["WH-IGN-ELEC"],
        again: None,
    },
    Case {
        category: C::WaterHeater, brand: "Vaillant", model: "ecoTEC plus 835",
        problem: ("Boiler locked out with F28, no heating or hot water", "锅炉F28锁定，没有暖气和热水"),
        diagnosis: ("Ignition electrode worn, flame not established", "点火电极磨损，无法建立火焰"),
        resolution: ("Replaced the ignition electrode, boiler lit first time, flue analysed OK", "更换点火电极，一次点火成功，烟气分析正常"),
        parts: &["WH-IGN-ELEC"],
        again: None,
    },
    Case {
        category: C::Dishwasher, brand: "Bosch", model: "SMS4HVI33E",
        problem: ("Dishwasher shows E24, water standing in the bottom", "洗碗机显示E24，底部有积水"),
        diagnosis: ("Filters blocked with food waste, drain pump cover jammed with glass", "过滤网被食物残渣堵住，排水泵盖卡着碎玻璃"),
        resolution: ("Cleaned the filters and freed the pump, drains fully", "清洗过滤网并清除泵内异物，排水正常"),
        parts: &["DW-FLT-SET"],
        again: None,
    },
    Case {
        category: C::Dishwasher, brand: "Siemens", model: "SN23EI14CG",
        problem: ("E15 on the dishwasher, water in the base tray", "洗碗机显示E15，底盘有水"),
        diagnosis: ("Aqua-stop inlet hose leaking at the valve end", "防漏进水管阀门端漏水"),
        resolution: ("Replaced the aqua-stop hose, dried the base tray, no E15", "更换防漏进水管，擦干底盘，不再报E15"),
        parts: &["DW-HOSE-AQUA"],
        again: None,
    },
];

/// One of the scenario's past E4 fixes on a Midea washing machine.
#[derive(Clone, Copy)]
struct MideaE4 {
    model: &'static str,
    /// Index into the crew (tech2 and tech3: not tech1, who meets the fault today).
    tech: usize,
    days_ago: i64,
    chinese: bool,
    problem: &'static str,
    diagnosis: &'static str,
    resolution: &'static str,
    parts: &'static [&'static str],
}

const fn e4(
    (model, tech, days_ago, chinese): (&'static str, usize, i64, bool),
    problem: &'static str,
    diagnosis: &'static str,
    resolution: &'static str,
    parts: &'static [&'static str],
) -> MideaE4 {
    MideaE4 { model, tech, days_ago, chinese, problem, diagnosis, resolution, parts }
}

#[rustfmt::skip]
const MIDEA_E4_FIXES: &[MideaE4] = &[
    e4((MIDEA_WASHER, 1, 17, false),
     "Midea washer stops filling with E4, drain pump keeps running",
     "Pressure hose to the water-level sensor blocked with detergent sludge, air trap full of lint",
     "Cleared the pressure hose and the air trap, refitted with a new clip; full cycle with no E4",
     &[]),
    e4((MIDEA_WASHER, 2, 8, true),
     "美的滚筒洗衣机显示E4，关机后还在进水",
     "进水阀关不严，断电关机后仍有水流进滚筒",
     "更换双路进水阀，试机进水到洗涤水位自动停止，不再报E4",
     &["WM-VLV-INLET"]),
    e4(("MD100VT13DS5", 1, 25, false),
     "Midea washer-dryer shows E4 mid-wash, water very high in the drum",
     "Inlet valve letting by with the power off; pressure hose clear",
     "Replaced the inlet valve, filling stops at the wash level",
     &["WM-VLV-INLET"]),
];

/// The return visit after the MD100VT13DS5's valve: the board misread the level.
#[rustfmt::skip]
const MIDEA_E4_AGAIN: (&str, &str, &[&str]) = (
    "E4 again: valve closes and hose clear, level sensor on the main board reads high",
    "Replaced the main control board, filled and washed a full cycle without E4",
    &["WM-PCB-MAIN"],
);

/// What the seed needs to book and push.
pub(super) struct Seeder<'a> {
    pub store: &'a dyn HeadOfficeStore,
    pub by: Dispatcher,
    pub crew: Vec<Crew>,
    pub booked: &'a mut Vec<Vec<Window>>,
    pub today: DateTime<Utc>,
    pub rng: ChaCha8Rng,
    /// Each technician's laptop, made on first use, and its next outbox seq.
    laptops: Vec<Option<(DeviceCaller, i64)>>,
    job_types: Vec<JobType>,
    catalogue: Vec<fieldwork_domain::domain::Part>,
    /// Finished jobs: (job id, when it was completed).
    finished: Vec<(String, DateTime<Utc>)>,
    pub customers: usize,
    /// The published knowledge base, to follow on visits.
    articles: Vec<ArticleListItem>,
    /// When the seed runs: no act of the past is dated later.
    wall: DateTime<Utc>,
    /// The delays between the acts (a generator of their own, so the story stays the same).
    delays: ChaCha8Rng,
}

/// A household and its appliance.
struct Home {
    customer_id: String,
    site_id: String,
    equipment_id: String,
    category: EquipmentCategory,
    chinese: bool,
}

/// One visit to push: what was found and done.
struct Visit<'a> {
    diagnosis: &'a str,
    resolution: &'a str,
    parts: &'a [&'a str],
    fault_code: Option<String>,
    /// The article the technician followed (its id and published version) and whether it fixed
    /// the fault, marked on the job.
    article: Option<(String, i64, ArticleOutcome)>,
}

impl<'a> Seeder<'a> {
    pub async fn new(
        store: &'a dyn HeadOfficeStore,
        by: Dispatcher,
        crew: Vec<Crew>,
        booked: &'a mut Vec<Vec<Window>>,
        today: DateTime<Utc>,
        rng: ChaCha8Rng,
    ) -> Result<Seeder<'a>> {
        let laptops = crew.iter().map(|_| None).collect();
        Ok(Seeder {
            job_types: store.job_types().await?,
            catalogue: store.parts().await?,
            store,
            by,
            crew,
            booked,
            today,
            rng,
            laptops,
            finished: Vec::new(),
            customers: 0,
            articles: store
                .kb_articles(ArticleQuery {
                    status: Some(fieldwork_domain::kb::ArticleStatus::Published),
                    limit: Some(1_000),
                    ..ArticleQuery::default()
                })
                .await?,
            wall: Utc::now(),
            delays: rand::SeedableRng::seed_from_u64(0x0063_6c6f_636b),
        })
    }

    /// The published article for a fault code on this brand of product, if the base has one.
    fn article_for(
        &self,
        category: EquipmentCategory,
        brand: &str,
        code: Option<&str>,
    ) -> Option<(String, i64)> {
        let code = code?;
        self.articles
            .iter()
            .find(|a| {
                a.category == category
                    && a.fault_codes.iter().any(|c| c.eq_ignore_ascii_case(code))
                    && (a.brands.is_empty()
                        || a.brands.iter().any(|b| b.eq_ignore_ascii_case(brand)))
            })
            .and_then(|a| Some((a.id.clone(), a.published_version?)))
    }

    /// Head office's next writes happen at `at` (at the latest a minute before the seed runs).
    fn at(&self, at: DateTime<Utc>) {
        self.store.clock().set(Some(at.min(self.wall - Duration::minutes(1))));
    }

    /// The past four weeks (see [`Seeder::past`]), each act dated when the story says it
    /// happened; head office's clock is the wall clock again afterwards, whatever happened.
    pub async fn history(&mut self, budget: usize) -> Result<usize> {
        let made = self.past(budget).await;
        self.store.clock().set(None);
        made
    }

    /// The past four weeks: about `budget` finished jobs (the scenario's among them), then the
    /// closing and the follow-up calls. Returns how many jobs it made.
    async fn past(&mut self, budget: usize) -> Result<usize> {
        let mut made = 0;
        // The scenario's fixes first, so they are there whatever the budget.
        for fix in MIDEA_E4_FIXES {
            let MideaE4 {
                model,
                days_ago: days,
                chinese,
                problem,
                diagnosis,
                resolution,
                parts,
                ..
            } = *fix;
            let tech = fix.tech % self.crew.len();
            let home = self.home(C::WashingMachine, "Midea", model, chinese, days).await?;
            let visit = Visit {
                diagnosis,
                resolution,
                parts,
                fault_code: Some("E4".into()),
                article: None,
            };
            let (job, done) =
                self.finished_job(&home, tech, days, "repair", problem, None, &visit).await?;
            made += 1;
            if model != MIDEA_WASHER {
                let (diagnosis, resolution, parts) = MIDEA_E4_AGAIN;
                let again = Visit {
                    diagnosis,
                    resolution,
                    parts,
                    fault_code: Some("E4".into()),
                    article: None,
                };
                let back = self.days_since(done) - 3;
                // The same technician goes back: a return visit of another technician's job
                // cannot reach a laptop today (its `return_of` names a job outside the laptop's
                // scope, which the laptop's store refuses).
                self.finished_job(
                    &home,
                    tech,
                    back,
                    "return_visit",
                    "E4 is back after the last repair, the drum overfills again",
                    Some(&job),
                    &again,
                )
                .await?;
                made += 1;
            }
        }
        let mut i = 0;
        while made < budget {
            let case = &CASES[i % CASES.len()];
            let tech = self.rng.gen_range(0..self.crew.len());
            let days = self.rng.gen_range(1..28);
            let chinese = self.rng.gen_bool(0.5);
            let pick = |b: Both| if chinese { b.1 } else { b.0 };
            let home = self.home(case.category, case.brand, case.model, chinese, days).await?;
            let code = fieldwork_domain::kb::fault_codes_in(case.problem.0).into_iter().next();
            // Six technicians in ten open the team's article for the fault and mark it; when it
            // fixed the fault, the repair fails again less often.
            let article = self
                .article_for(case.category, case.brand, code.as_deref())
                .filter(|_| self.delays.gen_bool(0.6));
            let outcome = match article {
                Some(_) if self.delays.gen_bool(0.15) => Some(ArticleOutcome::DidNotHelp),
                Some(_) => Some(ArticleOutcome::Fixed),
                None => None,
            };
            let visit = Visit {
                diagnosis: pick(case.diagnosis),
                resolution: pick(case.resolution),
                parts: case.parts,
                fault_code: code.clone(),
                article: article.zip(outcome).map(|((id, v), o)| (id, v, o)),
            };
            let (job, done) = self
                .finished_job(&home, tech, days, "repair", pick(case.problem), None, &visit)
                .await?;
            made += 1;
            // About one in three of the repairs that can fail again did.
            if let Some(again) = &case.again
                && made < budget
                && self.days_since(done) > 4
                && self.rng.gen_bool(match outcome {
                    Some(ArticleOutcome::Fixed) => 0.12,
                    Some(ArticleOutcome::DidNotHelp) => 0.5,
                    None => 0.35,
                })
            {
                let back = self.days_since(done) - self.rng.gen_range(2..4);
                let problem = if chinese {
                    format!("上次维修后故障又出现：{}", case.problem.1)
                } else {
                    format!("Same fault again after the last repair: {}", case.problem.0)
                };
                let visit = Visit {
                    diagnosis: pick(again.diagnosis),
                    resolution: pick(again.resolution),
                    parts: again.parts,
                    fault_code: code,
                    article: None,
                };

                self.finished_job(&home, tech, back, "return_visit", &problem, Some(&job), &visit)
                    .await?;
                made += 1;
            }
            i += 1;
        }
        self.close_and_call().await?;
        Ok(made)
    }

    /// Tech1's job of the scenario: a Midea MG100V11F showing E4, booked today. Returns its id.
    pub async fn midea_e4_today(&mut self) -> Result<String> {
        let home = self.home(C::WashingMachine, "Midea", MIDEA_WASHER, false, 0).await?;
        let job = self
            .store
            .create_job(
                &self.by,
                JobInput {
                    job_type: "repair".into(),
                    priority: Priority::High,
                    customer_id: home.customer_id,
                    site_id: home.site_id,
                    equipment_id: Some(home.equipment_id),
                    reported_problem: "Midea washing machine shows E4 and stops mid-wash, the \
                                       drum looks overfull and the drain pump keeps running"
                        .into(),
                    reported_at: None,
                    return_of: None,
                    goodwill: false,
                },
            )
            .await?;
        let slot = self.book(0, self.today + Duration::hours(9))?;
        self.schedule(&job.id, 0, slot).await?;
        Ok(job.id)
    }

    fn days_since(&self, at: DateTime<Utc>) -> i64 {
        (self.today - at).num_days().max(1)
    }

    /// A new customer with a site and one appliance, known to head office for a while.
    async fn home(
        &mut self,
        category: EquipmentCategory,
        brand: &str,
        model: &str,
        chinese: bool,
        days_ago: i64,
    ) -> Result<Home> {
        let rng = &mut self.rng;
        let customer = self
            .store
            .create_customer(
                &self.by,
                CustomerInput {
                    name: content::customer_name(rng, chinese),
                    phone: content::phone(rng, chinese),
                    alt_phone: None,
                    email: None,
                },
            )
            .await?;
        let addr = content::address(rng, chinese);
        let site = self
            .store
            .create_site(
                &self.by,
                SiteInput {
                    customer_id: customer.id.clone(),
                    address: addr.line,
                    city: addr.city,
                    postal_code: Some(addr.postal_code),
                    access_notes: addr.access_notes,
                    contact_name: None,
                    contact_phone: None,
                },
            )
            .await?;
        let installed =
            (self.today - Duration::days(days_ago + rng.gen_range(200..1_200))).date_naive();
        let serial: String = (0..14)
            .map(|_| {
                let c = rng.gen_range(0..36u32);
                char::from_digit(c, 36).unwrap_or('0').to_ascii_uppercase()
            })
            .collect();
        let equipment = self
            .store
            .create_equipment(
                &self.by,
                EquipmentInput {
                    site_id: site.id.clone(),
                    category,
                    brand: brand.to_owned(),
                    model: model.to_owned(),
                    serial,
                    purchased_on: Some(installed),
                    installed_on: Some(installed),
                    warranty_end: None,
                },
            )
            .await?;
        self.customers += 1;
        Ok(Home {
            customer_id: customer.id,
            site_id: site.id,
            equipment_id: equipment.id,
            category: equipment.category,
            chinese,
        })
    }

    /// The technician's first free appointment from `after`.
    fn book(&mut self, tech: usize, after: DateTime<Utc>) -> Result<Window> {
        let slot = schedule::next_free_slot(
            &self.booked[tech],
            after,
            schedule::appointment_length(None),
            WorkingHours::standard(Utc.fix()),
            Duration::days(60),
        )
        .ok_or_else(|| Error::Internal("no free slot for a demo job".to_owned()))?;
        self.booked[tech].push(slot);
        Ok(slot)
    }

    async fn schedule(&self, job_id: &str, tech: usize, slot: Window) -> Result<WorkOrder> {
        self.store
            .schedule_job(
                &self.by,
                job_id,
                ScheduleInput {
                    assignee_id: self.crew[tech].technician_id.clone(),
                    appointment_start: slot.start,
                    appointment_end: slot.end,
                    allow_overlap: false,
                },
            )
            .await
    }

    /// A job reported, booked and worked `days_ago` days back, completed by `tech` on their
    /// laptop. Returns its id and when it was completed.
    #[allow(clippy::too_many_arguments)]
    async fn finished_job(
        &mut self,
        home: &Home,
        tech: usize,
        days_ago: i64,
        job_type: &str,
        problem: &str,
        return_of: Option<&str>,
        visit: &Visit<'_>,
    ) -> Result<(String, DateTime<Utc>)> {
        let day = self.today - Duration::days(days_ago.max(1));
        let hour = self.rng.gen_range(8..16);
        let slot = self.book(tech, day + Duration::hours(hour))?;
        let priority = [Priority::Normal, Priority::Normal, Priority::High, Priority::Low]
            [self.rng.gen_range(0..4)];
        let reported_at = slot.start - Duration::minutes(self.rng.gen_range(240..2_400));
        // The call is taken when it comes in; booked within the hour, now and then hours later.
        self.at(reported_at);
        let job = self
            .store
            .create_job(
                &self.by,
                JobInput {
                    job_type: job_type.into(),
                    priority,
                    customer_id: home.customer_id.clone(),
                    site_id: home.site_id.clone(),
                    equipment_id: Some(home.equipment_id.clone()),
                    reported_problem: problem.to_owned(),
                    reported_at: Some(reported_at),
                    return_of: return_of.map(str::to_owned),
                    goodwill: false,
                },
            )
            .await?;
        let delay = if self.delays.gen_bool(0.1) {
            self.delays.gen_range(90..300)
        } else {
            self.delays.gen_range(3..50)
        };
        self.at((reported_at + Duration::minutes(delay)).min(slot.start - Duration::minutes(30)));
        let job = self.schedule(&job.id, tech, slot).await?;
        let done = self.push_visit(&job, home, tech, slot.start, visit).await?;
        self.finished.push((job.id.clone(), done));
        Ok((job.id, done))
    }

    /// The technician's laptop pushes the visit, as the app records it: on the way, on site,
    /// working, the checklist, notes, diagnosis, parts, resolution, no signature (with the
    /// reason), completed, the customer's rating. Returns when it was completed.
    async fn push_visit(
        &mut self,
        job: &WorkOrder,
        home: &Home,
        tech: usize,
        start: DateTime<Utc>,
        visit: &Visit<'_>,
    ) -> Result<DateTime<Utc>> {
        let chinese = home.chinese;
        let set_out = start - Duration::minutes(self.rng.gen_range(10..50));
        let working = start + Duration::minutes(5);
        let at_work = start + Duration::minutes(20);
        let done = start + Duration::minutes(self.rng.gen_range(40..110));
        let tech_name = self.crew[tech].user_name.clone();
        let mut m: Vec<(DateTime<Utc>, Mutation)> = Vec::new();
        let mut status = JobStatus::Scheduled;
        let mut entered = None;
        for (to, at) in [
            (JobStatus::EnRoute, set_out),
            (JobStatus::OnSite, start),
            (JobStatus::InProgress, working),
        ] {
            self.move_to(&mut m, job, &mut status, &mut entered, to, at);
        }
        let checklist = self
            .job_types
            .iter()
            .find(|t| t.id == job.job_type_id)
            .map(|t| t.checklist_for(Some(home.category)).cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        for item in &checklist {
            let value = match (item.key.as_str(), item.kind) {
                ("fault_code", _) => match &visit.fault_code {
                    Some(code) => ChecklistValue::Text(code.clone()),
                    None => continue,
                },
                ("previous_fault_resolved", _) => ChecklistValue::Choice("No".into()),
                ("fault_recurred", _) => ChecklistValue::Checkbox(true),
                ("further_action", _) => ChecklistValue::Choice("Repair".into()),
                ("parts_replaced", _) => ChecklistValue::Checkbox(!visit.parts.is_empty()),
                _ if !item.required && !self.rng.gen_bool(0.4) => continue,
                (_, ChecklistItemKind::Checkbox) => ChecklistValue::Checkbox(true),
                (_, ChecklistItemKind::Number) => {
                    ChecklistValue::Number(f64::from(self.rng.gen_range(218..236)))
                }
                (_, ChecklistItemKind::Choice) => {
                    ChecklistValue::Choice(item.options.first().cloned().unwrap_or_default())
                }
                (_, ChecklistItemKind::Text) => {
                    ChecklistValue::Text(if chinese { "正常" } else { "OK" }.into())
                }
            };
            m.push((
                at_work,
                Mutation::ChecklistAnswered {
                    job_id: job.id.clone(),
                    item_key: item.key.clone(),
                    value,
                    at: at_work,
                    replaces: None,
                },
            ));
        }
        if self.rng.gen_bool(0.4) {
            let note = Note {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.id.clone(),
                author: tech_name,
                body: content::technician_note(&mut self.rng, chinese),
                created_at: at_work,
            };
            m.push((at_work, Mutation::NoteAdded { note }));
        }
        m.push((at_work, field(job, JobField::Diagnosis, visit.diagnosis)));
        if let Some((article_id, article_version, outcome)) = &visit.article {
            let usage = ArticleUse {
                job_id: job.id.clone(),
                article_id: article_id.clone(),
                article_version: *article_version,
                outcome: *outcome,
                at: at_work,
            };
            m.push((at_work, Mutation::ArticleUsed { usage }));
        }
        for part_no in visit.parts {
            let Some(p) = self.catalogue.iter().find(|p| p.part_no == *part_no) else {
                return Err(Error::Internal(format!(
                    "demo part {part_no} is not in the catalogue"
                )));
            };
            let part = PartUsed {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.id.clone(),
                part_no: p.part_no.clone(),
                description: if chinese { &p.description_zh } else { &p.description }.clone(),
                quantity: 1.0,
                unit_price_cents: p.unit_price_cents,
                chargeable: job.chargeable,
                from_catalogue: true,
                line_total_cents: fieldwork_domain::money::line_total(1.0, p.unit_price_cents),
                created_at: at_work,
            };
            m.push((at_work, Mutation::PartAdded { part }));
        }
        m.push((done, field(job, JobField::Resolution, visit.resolution)));
        // Demo signatures would need their pictures in the blob store, which the seed does not
        // reach: the customer confirmed another way, as the app lets a technician record.
        let reason = if chinese {
            "客户在纸质工单上签字确认"
        } else {
            "Customer signed the paper job sheet"
        };
        m.push((done, field(job, JobField::SignatureAbsenceReason, reason)));
        self.move_to(&mut m, job, &mut status, &mut entered, JobStatus::Completed, done);
        if self.rng.gen_bool(0.7) {
            let rating = [5u8, 5, 5, 4, 4, 3][self.rng.gen_range(0..6)];
            let feedback = Feedback {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.id.clone(),
                rating,
                comment: content::feedback_comment(&mut self.rng, rating, chinese),
                created_at: done,
            };
            m.push((done, Mutation::FeedbackGiven { feedback }));
        }
        // The laptop syncs once the visit is over.
        let synced = done + Duration::minutes(self.delays.gen_range(2..40));
        self.at(synced);
        self.push(tech, m).await?;
        Ok(done)
    }

    /// A technician's move at `at`, with the time entry the app derives from it.
    fn move_to(
        &mut self,
        m: &mut Vec<(DateTime<Utc>, Mutation)>,
        job: &WorkOrder,
        status: &mut JobStatus,
        entered: &mut Option<DateTime<Utc>>,
        to: JobStatus,
        at: DateTime<Utc>,
    ) {
        if let Some(d) = derived_time_entry(*status, to, *entered, at) {
            let entry = TimeEntry {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.id.clone(),
                kind: d.kind,
                started_at: d.started_at,
                ended_at: d.ended_at,
                minutes: (d.ended_at - d.started_at).num_minutes(),
                source: TimeEntrySource::Derived,
                supersedes: None,
                created_at: at,
            };
            m.push((at, Mutation::TimeEntryAdded { entry }));
        }
        m.push((
            at,
            Mutation::StatusChanged {
                job_id: job.id.clone(),
                change_id: fieldwork_domain::ids::new_id(),
                from: *status,
                to,
                reason: None,
                at,
            },
        ));
        *status = to;
        *entered = Some(at);
    }

    /// Pushes `mutations` from the technician's laptop through the sync service; every one must
    /// be applied.
    async fn push(&mut self, tech: usize, mutations: Vec<(DateTime<Utc>, Mutation)>) -> Result<()> {
        if self.laptops[tech].is_none() {
            let crew = &self.crew[tech];
            let hash = token_hash(&new_token());
            self.store
                .add_device(&crew.user_id, &format!("{} laptop", crew.user_name), &hash)
                .await?;
            let caller = self
                .store
                .device_by_token(&hash)
                .await?
                .ok_or_else(|| Error::Internal("the demo laptop is missing".to_owned()))?;
            self.laptops[tech] = Some((caller, 0));
        }
        let Some((device, seq)) = self.laptops[tech].as_mut() else {
            return Err(Error::Internal("no demo laptop".to_owned()));
        };
        let mut entries = Vec::new();
        for (logical, (at, mutation)) in mutations.into_iter().enumerate() {
            *seq += 1;
            let entry = OutboxEntry {
                seq: *seq,
                mutation_id: fieldwork_domain::ids::new_id(),
                device_id: device.device_id.clone(),
                hlc: Hlc {
                    wall_ms: at.timestamp_millis(),
                    logical: u32::try_from(logical).unwrap_or(0),
                    node: device.device_id.clone(),
                },
                mutation,
                created_at: at,
            };
            entries.push(entry);
        }
        let request = PushRequest::from_outbox(&device.device_id, &entries)?;
        let device = device.clone();
        let response = self.store.push(&device, request).await?;
        if let Some(r) = response.results.iter().find(|r| r.outcome != Outcome::Applied) {
            let kind = entries.iter().find(|e| e.seq == r.seq).map_or("?", |e| e.mutation.kind());
            return Err(Error::Internal(format!(
                "a demo visit's {kind} was not applied: {:?}",
                r.outcome
            )));
        }
        Ok(())
    }

    /// A dispatcher closes what was completed more than a few days ago and calls the customers
    /// of the latest completions.
    async fn close_and_call(&mut self) -> Result<()> {
        let finished = std::mem::take(&mut self.finished);
        for (job_id, done) in &finished {
            let age = self.today - *done;
            let old = age > Duration::days(4);
            // Most customers are called back, mostly within the three days the handbook asks.
            let call = if old { self.delays.gen_bool(0.85) } else { self.rng.gen_bool(0.8) };
            let called = *done + Duration::hours(self.delays.gen_range(4..90));
            if call && called < self.wall {
                self.at(called);
                let satisfaction = [5u8, 5, 4][self.rng.gen_range(0..3)];
                self.store
                    .record_follow_up(
                        &self.by,
                        job_id,
                        FollowUpInput {
                            reached: true,
                            satisfaction: Some(satisfaction),
                            comment: None,
                            complaint: None,
                        },
                    )
                    .await?;
            }
            if old {
                // Closed after the review (and the call), a day to four later.
                let closed = *done + Duration::hours(self.delays.gen_range(20..96));
                self.at(if call { closed.max(called) } else { closed });
                self.store.move_job(&self.by, job_id, JobStatus::Closed, None).await?;
            }
        }
        Ok(())
    }
}

fn field(job: &WorkOrder, field: JobField, value: &str) -> Mutation {
    Mutation::FieldSet {
        job_id: job.id.clone(),
        field,
        value: Some(value.to_owned()),
        replaces: Some(fieldwork_domain::mutation::Replaces { value: None }),
    }
}
