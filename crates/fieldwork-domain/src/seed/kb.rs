//! The demo knowledge base: service articles for the demo company's appliances and furniture, in
//! English and Simplified Chinese, as a supervisor would have written them. They name the demo
//! brands and models of [`super::content`], the fault codes its reported problems show and the
//! part numbers of its parts catalogue, so a seeded job finds articles that fit it.
//!
//! The articles are already normalised ([`ArticleContent::normalised`] leaves them as they are).

use crate::domain::EquipmentCategory;
use crate::kb::{ArticleContent, ArticleText, Language};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn text(
    language: Language,
    title: &str,
    symptoms: &[&str],
    causes: &[&str],
    steps: &[&str],
    warnings: &[&str],
) -> ArticleText {
    ArticleText {
        language,
        title: title.to_string(),
        symptoms: strings(symptoms),
        causes: strings(causes),
        steps: strings(steps),
        warnings: strings(warnings),
    }
}

/// An English text: title, symptoms, causes, steps (in order), warnings.
fn en(
    title: &str,
    symptoms: &[&str],
    causes: &[&str],
    steps: &[&str],
    warnings: &[&str],
) -> ArticleText {
    text(Language::English, title, symptoms, causes, steps, warnings)
}

/// A Chinese text: title, symptoms, causes, steps (in order), warnings.
fn zh(
    title: &str,
    symptoms: &[&str],
    causes: &[&str],
    steps: &[&str],
    warnings: &[&str],
) -> ArticleText {
    text(Language::Chinese, title, symptoms, causes, steps, warnings)
}

fn article(
    category: EquipmentCategory,
    brands: &[&str],
    models: &[&str],
    fault_codes: &[&str],
    parts: &[&str],
    texts: Vec<ArticleText>,
) -> ArticleContent {
    ArticleContent {
        category,
        brands: strings(brands),
        models: strings(models),
        fault_codes: strings(fault_codes),
        parts: strings(parts),
        photos: Vec::new(),
        texts,
    }
}

// Warnings shared by several articles.
const EN_POWER: &str = "Switch off and unplug the appliance, or isolate it at the fused spur, before removing any cover.";
const ZH_POWER: &str = "拆任何盖板前先拔掉电源插头或断开空开。";
const EN_INVERTER: &str = "Isolate the supply and wait at least 5 minutes for the inverter capacitors to discharge before touching the boards.";
const ZH_INVERTER: &str = "断电后至少等待5分钟，待变频板电容放电后再接触电路板。";
const EN_REFRIGERANT: &str = "Only a certified refrigerant handler may open the refrigerant circuit; recover the refrigerant, never vent it. R32 is mildly flammable: no naked flames, keep the room ventilated.";
const ZH_REFRIGERANT: &str = "冷媒系统只能由持证人员操作，冷媒必须回收，不得直接排放。R32为弱可燃冷媒，作业时禁止明火并保持通风。";
const EN_GAS: &str = "Gas work only by a Gas Safe registered engineer. Tightness-test the installation after disturbing any gas joint.";
const ZH_GAS: &str =
    "燃气部件只能由具备燃气作业资质的人员维修，拆装任何燃气接头后都要做气密性检测。";
const EN_GAS_SMELL: &str = "If gas can be smelled: close the emergency control valve, open the windows, do not operate switches, and call the gas emergency line.";
const ZH_GAS_SMELL: &str =
    "闻到燃气味时：立即关闭燃气总阀，开窗通风，不要开关任何电器，并拨打燃气公司抢修电话。";
const EN_R600A: &str = "Most fridges use R600a (isobutane), which is flammable: sealed-system repairs only by a certified technician, with the gas recovered and the room ventilated.";
const ZH_R600A: &str = "多数冰箱使用R600a（异丁烷）冷媒，易燃：封闭系统维修只能由持证人员进行，须先回收冷媒并保持通风。";
const ZH_HEIGHT: &str = "高空作业必须系好安全带并挂在牢固的位置，工具要防坠落。";
const EN_KEY: &str = "Make sure the customer has a mechanical key or a working password before the lock is taken apart.";
const ZH_KEY: &str = "拆锁之前，确认客户手里有机械钥匙或可用的密码。";

/// The demo knowledge base, every category, most articles in both languages.
pub fn demo_articles() -> Vec<ArticleContent> {
    let mut out = Vec::new();
    out.extend(air_conditioners());
    out.extend(water_heaters());
    out.extend(washing_machines());
    out.extend(refrigerators());
    out.extend(dishwashers());
    out.extend(ovens_and_hoods());
    out.extend(kitchens());
    out.extend(furniture());
    out.extend(smart_home());
    out
}

#[rustfmt::skip]
fn air_conditioners() -> Vec<ArticleContent> {
    use EquipmentCategory::AirConditioner as AC;
    vec![
        article(AC, &["Gree"], &["KFR-35GW/*", "KFR-26GW/*", "KFR-72LW/*"], &["E1"], &["AC-FAN-ODU", "AC-FLT-SET"], vec![
            en("Gree E1: high-pressure protection, unit stops after a few minutes",
                &["E1 on the indoor display a few minutes after start-up",
                  "Outdoor unit stops while the indoor fan keeps running",
                  "Fault comes back after a power reset"],
                &["Outdoor coil blocked with dirt or leaves, or no room for air round the outdoor unit (cooling)",
                  "Outdoor fan motor not running or running slowly",
                  "Blocked indoor filter or coil in heating mode; refrigerant overcharged at an earlier repair"],
                &["Note the mode: in cooling the high-pressure side is the outdoor coil, in heating it is the indoor coil. If it trips in heating, clean the filters and check the indoor coil first.",
                  "Check the clearances round the outdoor unit (about 30 cm behind, 50 cm in front); remove leaves, shade netting and stored items.",
                  "Run in cooling and watch the outdoor fan. If it stops or turns slowly, isolate and spin the blade by hand: stiff means worn bearings; free means check the fan capacitor and windings. Replace the motor if a winding is open.",
                  "Wash the outdoor coil from the inside outwards with low-pressure water or coil cleaner and comb out flattened fins.",
                  "Fit a gauge to the service valve and run 10 minutes in cooling: with R32 the suction side should be about 0.8–1.1 MPa. A high reading with a hot liquid pipe means overcharge or air in the system: recover and weigh in the nameplate charge.",
                  "If airflow and charge are right, check the high-pressure switch is closed (continuity) and its plug on the outdoor board is sound before suspecting the board.",
                  "Reset at the isolator and run 30 minutes in the mode the customer reported to confirm."],
                &[EN_INVERTER, EN_REFRIGERANT]),
            zh("格力空调E1：高压保护，开机几分钟后停机",
                &["开机几分钟后室内机显示E1", "外机停止运行，内机风扇还在转", "断电重启后故障又出现"],
                &["制冷时外机冷凝器脏堵，或外机周围散热空间不足", "外风机不转或转速偏低",
                  "制热时内机过滤网、蒸发器脏堵；以前维修时冷媒加多了"],
                &["先看运行模式：制冷时高压侧在外机，制热时在内机。制热报E1，先清洗过滤网、检查内机蒸发器。",
                  "检查外机周围散热空间（后面约30cm，前面约50cm），清走树叶、遮阳网和杂物。",
                  "开制冷观察外风机：不转或转得慢时断电用手拨扇叶，发涩是轴承坏，顺滑则测风机电容和绕组，绕组开路就换外风机电机。",
                  "用低压水或清洗剂从里往外冲洗冷凝器，把倒伏的翅片梳直。",
                  "在外机截止阀接压力表，制冷运行10分钟，R32低压约0.8–1.1MPa为正常；压力偏高且液管烫手，说明冷媒过量或混入空气，回收后按铭牌重量定量加注。",
                  "散热和冷媒量都正常时，测高压开关是否导通、外机主板上插头是否接触良好，最后才考虑换板。",
                  "断电复位，按客户报修的模式运行30分钟确认不再报E1。"],
                &[ZH_INVERTER, ZH_REFRIGERANT]),
        ]),
        article(AC, &["Midea"], &["KFR-35GW/BpR3DN8Y*", "KFR-26GW/N8*", "KFR-51LW/BP3DN8Y*"], &["E1"], &["AC-PCB-IDU"], vec![
            en("Midea E1: indoor and outdoor units not communicating",
                &["E1 on the display within a few minutes of switching on",
                  "Outdoor unit never starts, or starts and stops again",
                  "Indoor fan runs but there is no cooling or heating"],
                &["Interconnecting cable loose, corroded or wired wrongly at terminals L, N, S",
                  "Joint in an extended cable, or water in the outdoor terminal block",
                  "Outdoor board (fuse, power supply) or the indoor board's communication circuit failed"],
                &["With the unit switched on, measure 220–240 V AC between L and N on the outdoor terminal block.",
                  "Check the terminals match at both ends (L to L, N to N, S to S): N and S swapped after a relocation gives E1 at once.",
                  "Follow the whole interconnecting cable; replace taped joints with one continuous cable and clean and dry corroded terminals.",
                  "With the unit running, measure between S and N at the outdoor block: a reading that keeps changing means the indoor board is sending; a steady 0 V points to the indoor board.",
                  "If the signal is there, check the outdoor board fuse and LED: mains present but no LED means the outdoor board or its power supply has failed.",
                  "Replace the faulty board, power up and confirm the compressor starts within 3 minutes and E1 does not return in 20 minutes of running."],
                &[EN_INVERTER]),
            zh("美的空调E1：室内外机通讯故障",
                &["开机几分钟内显示E1", "外机一直不启动，或启动后又停", "内机吹风，但不制冷也不制热"],
                &["内外机连接线（L、N、S端子）松动、氧化或接错", "连接线中间有接头，或外机接线端子进水",
                  "外机板（保险管、电源部分）或内机板通讯电路损坏"],
                &["开机状态下测外机接线端子L与N之间电压，应为220–240V交流。",
                  "核对两端接线顺序（L对L、N对N、S对S），移机后N和S接反，开机就会报E1。",
                  "检查整根连接线：中间用胶布缠的接头改为整根线，氧化的端子清理干燥。",
                  "运行时测外机S与N之间的电压：读数不停跳动说明内机板在发信号；一直是0V就查内机板。",
                  "有信号时查外机板保险管和指示灯：有市电但灯不亮，说明外机板或其电源损坏。",
                  "换好电路板后上电，确认3分钟内压缩机启动，连续运行20分钟不再报E1。"],
                &[ZH_INVERTER]),
        ]),
        article(AC, &[], &[], &[], &["AC-CAP-35UF", "AC-CAP-45UF", "AC-GAS-R32", "AC-FLT-SET"], vec![
            en("Not cooling, blowing warm air",
                &["Air from the indoor unit hardly cooler than the room",
                  "Outdoor fan runs but the compressor is silent, or clicks on and off",
                  "Frost on the thin pipe at the outdoor service valves"],
                &["Compressor run capacitor failed (fixed-speed units)",
                  "Refrigerant leak, most often at a flare joint",
                  "Blocked filters or a dirty outdoor coil"],
                &["Check the mode is Cool and the set point is below room temperature; clean the filters.",
                  "After 15 minutes of running, measure the air in and out at the indoor unit: a drop of 8–12 °C is normal, under 5 °C confirms a fault.",
                  "Fixed-speed units: if the compressor hums and cuts out on its overload, isolate, discharge the capacitor and measure it; replace it if it reads more than 5 % under its label (35 µF or 45 µF).",
                  "Inverter units: read the fault LED on the outdoor board before changing any part.",
                  "Fit gauges: with R32 in cooling the suction side is about 0.8–1.1 MPa. Low pressure and frost at the liquid valve mean a leak; check flare joints with a detector or leak spray.",
                  "After repairing a leak: pressure-test with dry nitrogen (about 4.0 MPa, never above the design pressure on the nameplate) for 30 minutes with no drop, evacuate below 500 microns and weigh in the nameplate charge."],
                &["Discharge the capacitor through a resistor before touching its terminals.", EN_REFRIGERANT]),
            zh("空调不制冷，出风口吹热风",
                &["出风温度和室温差不多", "外风机在转，压缩机不响，或反复咔哒启停", "外机细管（液管）截止阀处结霜"],
                &["压缩机运行电容损坏（定频机）", "冷媒泄漏，多在喇叭口接头处", "过滤网堵塞或外机冷凝器太脏"],
                &["确认模式是制冷、设定温度低于室温，清洗过滤网。",
                  "运行15分钟后测内机进出风温度：温差8–12°C为正常，低于5°C说明有故障。",
                  "定频机：压缩机嗡嗡响后过载保护断开的，断电并给电容放电后测容量，比标称值（35µF或45µF）低5%以上就更换。",
                  "变频机：先看外机板故障指示灯，再决定换什么。",
                  "接压力表：R32制冷时低压约0.8–1.1MPa。压力偏低、液阀结霜说明漏氟，用检漏仪或检漏液查喇叭口。",
                  "修好漏点后用氮气保压（约4.0MPa，不超过铭牌设计压力）30分钟不掉压，抽真空到500微米以下，再按铭牌重量定量加注冷媒。"],
                &["电容要先用电阻放电，再碰接线端子。", ZH_REFRIGERANT]),
        ]),
        article(AC, &[], &[], &[], &["AC-PUMP-CND", "AC-FLT-SET"], vec![
            en("Indoor unit dripping water",
                &["Water running down the wall or dripping from the front of the indoor unit",
                  "Gurgling sound or musty smell",
                  "Ice on the indoor coil while cooling"],
                &["Condensate drain blocked with dust, slime or insects",
                  "Drain hose without fall, kinked, or its end under water",
                  "Filters blocked so the coil ices and the tray overflows as it thaws"],
                &["Clean the filters and look for ice on the coil; if iced, check airflow and the refrigerant charge (see Not cooling).",
                  "Pour about 0.5 L of water slowly into the drain tray and check it comes out at the outside end of the hose.",
                  "If it backs up, clear the hose with a wet-vac from the outside end or a flexible brush, and flush the tray with warm water and tray cleaner.",
                  "Check the hose falls all the way (at least 1 cm per metre), is not kinked behind the unit and does not end in water.",
                  "Check with a spirit level that the indoor unit is level or slightly lower on the drain side; reset the wall plate if needed.",
                  "Where there is no fall to outside, fit a condensate pump and test it with a jug of water."],
                &["Isolate the unit before removing the front cover or the drain tray."]),
            zh("空调室内机漏水",
                &["水顺着墙往下流，或从内机前面滴水", "有咕噜咕噜的水声或霉味", "制冷时内机蒸发器结冰"],
                &["排水管被灰尘、水垢或虫子堵住", "排水管没有坡度、打折，或出水口泡在水里", "过滤网太脏导致蒸发器结冰，化冰时接水盘溢水"],
                &["清洗过滤网，检查蒸发器是否结冰；结冰的要查风量和冷媒量（见“不制冷”）。",
                  "往接水盘里慢慢倒约0.5升水，看室外排水管出口能否顺畅出水。",
                  "排不出去时，从室外管口用吸尘器抽吸或用软毛刷疏通，接水盘用温水和清洗剂冲洗干净。",
                  "检查排水管全程有坡度（每米至少1cm）、内机背后不打折、出口不泡在水里。",
                  "用水平尺检查内机：应水平或略向排水一侧低，必要时重新调整挂板。",
                  "没有自然排水坡度的位置加装冷凝水提升泵，用一壶水试排。"],
                &["拆面板或接水盘前先断电。"]),
        ]),
        article(AC, &[], &[], &[], &["AC-BRKT-ODU", "AC-FAN-ODU"], vec![
            zh("空调外机噪音大、震动明显",
                &["外机运行时嗡嗡响或咔咔响", "外机支架和墙面跟着震动", "开机、停机瞬间有明显撞击声"],
                &["支架膨胀螺栓松动或支架锈蚀", "压缩机减震胶垫老化或缺失", "风叶碰到异物、变形，或风机轴承磨损"],
                &["站在安全位置观察外机和支架，先分清是支架共振还是机内发出的声音。",
                  "断电后检查风叶有无裂纹、变形，用手拨动是否顺滑；轴承发涩或晃动就更换外风机电机。",
                  "检查压缩机地脚螺母和减震胶垫，老化开裂的更换；螺母拧到胶垫稍有压缩即可，不要锁死。",
                  "检查铜管有没有碰到外壳或墙面，调整后用扎带和保温棉隔开。",
                  "紧固或更换支架膨胀螺栓；支架锈蚀严重的整套更换，外机底脚加装减震垫。",
                  "通电试机，在低频和高频下都确认噪音、震动明显减小。"],
                &[ZH_HEIGHT, ZH_INVERTER]),
        ]),
        article(AC, &["Daikin"], &["FTXM*", "FTXF*", "ATXC*"], &["U4"], &["AC-PCB-IDU"], vec![
            en("Daikin U4: transmission error between indoor and outdoor units",
                &["Operation lamp flashes; the remote's fault check shows U4",
                  "Outdoor unit does not start",
                  "Fault appeared after a power cut, a thunderstorm or a relocation"],
                &["Wiring fault between the indoor and outdoor terminals 1, 2 and 3",
                  "Outdoor board damaged by a supply surge",
                  "Indoor board's transmission circuit failed"],
                &["Check the supply reaches the outdoor unit and that terminals 1, 2, 3 match at both ends with no joints in the cable.",
                  "Check the outdoor board's service monitor LED: a steadily blinking green LED means the board is powered and running its program.",
                  "With the unit on, measure between terminals 2 and 3: a voltage that keeps changing means the indoor unit is transmitting.",
                  "No signal from the indoor unit: replace the indoor board. Signal present but the outdoor LED off or steady: replace the outdoor board.",
                  "After a board change, run 20 minutes in cooling and repeat the fault check on the remote."],
                &[EN_INVERTER]),
        ]),
        article(AC, &[], &[], &[], &["AC-SNS-NTC"], vec![
            en("Heating mode blows cold air",
                &["Cold air for a few minutes after switching to Heat",
                  "Heating stops for 5–10 minutes while the outdoor unit steams",
                  "Cold air all the time with the outdoor unit running"],
                &["Normal cold-draught prevention or a defrost cycle (not a fault)",
                  "Four-way valve or its coil not switching",
                  "Indoor coil temperature sensor out of tolerance"],
                &["Explain the normal behaviour: the indoor fan waits until the coil is warm (up to about 3 minutes), and in cold, damp weather the unit defrosts every 30–90 minutes for 5–10 minutes.",
                  "Check the remote really is on Heat and the set point is above room temperature.",
                  "In heating, feel the thick pipe at the outdoor valves: it should be hot within 5 minutes. If it stays cold the four-way valve has not changed over.",
                  "Measure 220–240 V at the four-way valve coil in heating. Voltage present: measure the coil (typically 1–2 kΩ) and replace it if open; coil good means the valve is stuck and must be replaced (refrigerant work).",
                  "If the pipe is hot but the indoor fan stays off or blows cool, measure the indoor coil sensor against the table on the wiring diagram (commonly 10 kΩ or 20 kΩ at 25 °C) and replace it if out."],
                &[EN_INVERTER, EN_REFRIGERANT]),
            zh("空调制热模式吹冷风",
                &["切换到制热后前几分钟吹冷风", "制热中途停5–10分钟，外机冒白汽", "外机在运行，但一直吹冷风"],
                &["防冷风或除霜，属正常现象", "四通阀或四通阀线圈不换向", "内机管温传感器阻值漂移"],
                &["先向客户说明：制热开机时内机要等蒸发器热了才吹风（最长约3分钟）；天冷潮湿时每30–90分钟除霜一次，每次5–10分钟。",
                  "确认遥控器确实是制热模式，设定温度高于室温。",
                  "制热运行时摸外机粗管：5分钟内应变热；一直是凉的，说明四通阀没换向。",
                  "制热时测四通阀线圈电压应为220–240V。有电压就测线圈阻值（一般1–2kΩ），开路换线圈；线圈正常则是阀体卡住，需更换四通阀（涉及冷媒作业）。",
                  "粗管热但内机不吹风或吹凉风，按接线图上的阻值表测内机管温传感器（常见25°C时10kΩ或20kΩ），偏差大就更换。"],
                &[ZH_INVERTER, ZH_REFRIGERANT]),
        ]),
    ]
}

#[rustfmt::skip]
fn water_heaters() -> Vec<ArticleContent> {
    use EquipmentCategory::WaterHeater as WH;
    vec![
        article(WH, &["Vaillant"], &["ecoTEC *"], &["F28", "F29"], &["WH-IGN-ELEC", "WH-PCB-MAIN"], vec![
            en("Vaillant F28: ignition failure, no heating or hot water",
                &["F28 on the display after several attempts to light",
                  "No heating and no hot water",
                  "F29 instead when the flame goes out during operation"],
                &["No gas or low gas pressure (meter, emergency valve, prepayment credit)",
                  "Ignition electrode worn or its lead damaged; condensate trap blocked or frozen",
                  "Gas valve not opening, or a poor earth so the flame is not detected"],
                &["Check other gas appliances and the meter; ask whether the fault followed frost (frozen condensate pipe).",
                  "Measure the working inlet pressure at the gas valve test point with the boiler at full rate: about 20 mbar on natural gas is expected; under 17 mbar, look for an undersized or partly closed supply.",
                  "Check the condensate trap and pipe: a blocked or frozen trap backs water into the burner. Thaw outside pipework with warm (not boiling) water and clean the trap.",
                  "Isolate power and gas, remove the electrode and check the ceramic is not cracked, the tips are clean and the gap is to the manufacturer's figure (about 4 mm). Replace the electrode with a new gasket if worn.",
                  "Watch the ignition: spark but no flame means no gas at the burner (check the valve coils and the valve); flame that lights and drops out means poor flame detection (electrode lead, earth, flue recirculation).",
                  "Reset, run at maximum and minimum and do a flue gas analysis after any gas-side work."],
                &[EN_GAS, EN_GAS_SMELL]),
            zh("威能壁挂炉F28：点火失败，无暖气无热水",
                &["多次尝试点火后显示F28", "暖气和热水都没有", "运行中熄火则显示F29"],
                &["没有燃气或气压不足（燃气表、总阀、预付费余额）", "点火针磨损或高压线损坏；冷凝水存水弯堵塞或冻住",
                  "燃气阀不开，或接地不良导致检测不到火焰"],
                &["先看灶具等其他燃气设备能否用，检查燃气表；问客户故障是不是在降温结冰后出现的（冷凝水管冻住）。",
                  "满负荷运行时在燃气阀测压口测动压，天然气一般约2kPa；明显偏低的要查供气管径或阀门是否未全开。",
                  "检查冷凝水存水弯和排水管：堵塞或冻住会让冷凝水倒灌燃烧器。室外管段用温水（不要开水）化冻，清洗存水弯。",
                  "断电关气，拆下点火针：陶瓷不能开裂，针尖干净，间距符合厂家要求（约4mm）；磨损的连同密封垫一起更换。",
                  "观察点火过程：有火花不着火，说明燃烧器没来气，查燃气阀线圈和阀体；着火后又灭，是火焰检测不良，查高压线、接地和烟气回流。",
                  "复位后分别在最大、最小负荷运行，动过燃气部件的要做烟气分析。"],
                &[ZH_GAS, ZH_GAS_SMELL]),
        ]),
        article(WH, &["Worcester Bosch"], &["Greenstar *"], &["EA227"], &["WH-IGN-ELEC"], vec![
            en("Worcester Bosch EA 227: no flame detected at ignition",
                &["Display shows EA and 227, boiler locked out",
                  "Boiler tries to light several times, then stops",
                  "No heating or hot water"],
                &["No gas or low gas pressure at the boiler",
                  "Electrode worn, lead damaged or poor earth",
                  "Frozen or blocked condensate pipe; faulty gas valve"],
                &["Check other gas appliances and the meter; in cold weather check the outside condensate pipe first.",
                  "Measure the working inlet pressure at the gas valve with the boiler at maximum: about 20 mbar expected, not under 17 mbar on natural gas.",
                  "Clear the condensate trap and pipe; thaw frozen pipework with warm water, then insulate it or re-route it inside.",
                  "Inspect the electrode assembly: replace it if the ceramic is cracked or the tips are eroded; check the lead and the earth connection.",
                  "Watch the ignition sequence: spark but no flame means no gas at the burner (valve); a flame that drops out after a few seconds means poor flame sensing.",
                  "Reset, run at maximum and minimum and carry out a combustion check with a flue gas analyser."],
                &[EN_GAS, EN_GAS_SMELL]),
        ]),
        article(WH, &["A.O. Smith", "Midea", "Haier"], &["JSQ*"], &["E1"], &["WH-IGN-ELEC", "WH-SNS-FLOW"], vec![
            zh("燃气热水器点不着火，显示E1",
                &["开热水龙头后有打火声，但点不着火", "连续打火几次后显示E1并停机", "冬天或水压低时更容易出现"],
                &["燃气阀门没开、气瓶没气或燃气表欠费", "点火针积碳、间距不对或感应针失效", "水压低或水流传感器故障，进水量达不到启动流量"],
                &["确认燃气表阀、热水器前阀都已打开，灶具能正常点火；液化气用户检查气瓶余量和减压阀。",
                  "把热水龙头开到最大听有没有打火声；没有打火声先查水路：进水阀、进水过滤网、水压（启动流量一般需约2.5升/分钟以上）。",
                  "断电后检查水流传感器：开水时应有信号输出，没有信号就更换水流传感器。",
                  "拆下燃烧室观察盖，检查点火针和感应针：清除积碳，点火针与火排间距调到约4mm，陶瓷开裂的更换。",
                  "有火花但不着火时，测比例阀和电磁阀线圈阻值并对照维修手册，开路则更换燃气阀组。",
                  "修好后连续开关热水10次，确认每次都能一次点着，出水温度稳定。"],
                &[ZH_GAS, ZH_GAS_SMELL]),
        ]),
        article(WH, &["Haier", "Midea"], &["EC6002*", "F6021*"], &["E4"], &["WH-THERM", "WH-PCB-MAIN"], vec![
            en("E4 on an electric water heater: over-temperature protection",
                &["E4 on the display and no hot water",
                  "Water at the tap was scalding before the fault",
                  "Fault returns after switching off and on"],
                &["Temperature sensor (NTC) reading wrong, often because of scale on its pocket",
                  "Heating relay on the control board welded, so the element never switches off",
                  "Thermostat or thermal cut-out faulty or tripped"],
                &["Unplug the heater and let it cool; run a hot tap to see how hot the water really is.",
                  "Measure the temperature sensor at the board connector against the table in the service manual (commonly about 10 kΩ at 25 °C, falling as it warms); replace it if open, shorted or far out.",
                  "Check the thermal cut-out (manual reset, trips at about 85–95 °C): if it has tripped, find the cause before resetting it.",
                  "Plug in and watch: if the element stays powered once the display shows the set temperature, the relay is welded — replace the control board.",
                  "Descale the sensor pocket; if the element is heavily scaled, replace it on the same visit.",
                  "Heat a full tank and measure at the tap: the heater must stop at the set temperature without E4."],
                &[EN_POWER, "Water in the tank can be over 80 °C: let it cool or draw it off before opening the tank."]),
            zh("电热水器显示E4：超温保护",
                &["显示E4，没有热水", "出故障前水特别烫", "断电再开机后故障又出现"],
                &["温度传感器阻值不准，常见是探头套管结垢", "主板加热继电器触点粘连，加热管一直不断电", "温控器或超温保护器损坏、跳开"],
                &["拔掉插头让机器降温，打开热水龙头看看实际水温。",
                  "在主板插头处测温度传感器阻值，对照维修手册（常见25°C时约10kΩ，温度越高阻值越小），开路、短路或偏差大的更换。",
                  "检查超温保护器（手动复位，约85–95°C动作）：已跳开的先找原因，再按复位。",
                  "通电观察：显示已到设定温度，加热管仍然有电，说明继电器粘连，更换主板。",
                  "清除传感器套管水垢；加热管结垢严重的一并更换。",
                  "烧满一箱水后在龙头处测温：到设定温度能停止加热，且不再报E4。"],
                &[ZH_POWER, "内胆里的水可能超过80°C，打开内胆前先降温或放水。"]),
        ]),
        article(WH, &[], &[], &[], &["WH-PRV-07", "WH-ANODE-MG", "GEN-PTFE-TAPE"], vec![
            en("Electric water heater leaking from the bottom",
                &["Water dripping from the bottom cover", "Rust-coloured stains under the heater",
                  "Leak only while heating"],
                &["Element or anode gasket leaking, or loose inlet and outlet fittings",
                  "Relief valve discharging (see Relief valve dripping)",
                  "Inner tank corroded through after the anode was used up"],
                &["Isolate the power, close the cold inlet valve and remove the bottom cover; find the exact source with dry tissue.",
                  "Fittings: remake leaking inlet and outlet joints with new washers or PTFE tape; do not overtighten plastic unions.",
                  "Element flange or anode seat weeping: drain the tank, fit new gaskets, and a new magnesium anode if less than a third of the old one is left.",
                  "Water from the tank seam or soaking through the insulation means the inner tank has failed: the heater must be replaced.",
                  "Refill with a hot tap open until water runs without air, switch on and check for leaks after a full heat."],
                &[EN_POWER, "A full 80 L heater weighs over 100 kg: drain it completely and lift it down with two people."]),
            zh("电热水器底部漏水",
                &["底盖往下滴水", "热水器下方有锈色水渍", "只在加热时漏水"],
                &["加热管或镁棒密封垫漏水，进出水接头松动", "安全阀泄压排水（见“安全阀滴水”）", "镁棒耗尽后内胆锈穿"],
                &["断电，关闭进水阀，拆下底盖，用干纸巾找准漏点。",
                  "接头漏水：换新垫片或重新缠生料带；塑料接头不要拧得过紧。",
                  "加热管法兰或镁棒口渗水：放空内胆，更换密封垫；旧镁棒剩不到三分之一的，同时换新镁棒。",
                  "水从内胆焊缝或保温层里渗出，说明内胆已漏，只能更换热水器。",
                  "打开热水龙头注水，直到出水不带空气，再通电加热一次，检查无渗漏。"],
                &[ZH_POWER, "80升热水器装满水超过100公斤，必须放空后两人抬下。"]),
        ]),
        article(WH, &["A.O. Smith", "Haier", "Midea", "Ariston"], &["E60VN3", "E80VJ5", "EC6002*", "F6021*", "Velis Evo 80"], &[], &["WH-ELEM-2KW", "WH-THERM", "WH-ANODE-MG"], vec![
            en("Hot water only lukewarm on an electric storage heater",
                &["Water only warm even after hours of heating",
                  "Hot water runs out much sooner than before",
                  "Heating light on all the time"],
                &["Heating element burnt out (twin-element heaters still heat slowly on one)",
                  "Thermostat set low or out of calibration",
                  "Heavy scale on the element, or a broken dip tube mixing cold water in"],
                &["Check the set temperature and mode (some models have an eco or half-tank mode); set 65 °C for the test.",
                  "Isolate, remove the cover and measure each element: a 2 kW element reads about 26 Ω; open circuit means replace it. Each element to earth must read at least 2 MΩ.",
                  "Check the thermostat: closed when the water is cold, opens at the set temperature; replace it if it opens early.",
                  "While the tank is drained, check the anode and the scale: replace the anode if less than a third is left and flush out the sediment.",
                  "Refill, heat and check the water at the tap reaches the set temperature within the heat-up time on the rating plate."],
                &[EN_POWER, "Drain through a hose to a drain; the first water out is hot."]),
            zh("电热水器水温不够，只有温水",
                &["加热几个小时后还是温水", "热水比以前用得快很多", "加热指示灯一直亮"],
                &["加热管烧断（双加热管机型只剩一根在工作，加热很慢）", "温控器设定偏低或失准", "加热管结垢严重，或进水导流管断裂，冷水直接混入"],
                &["检查设定温度和模式（有的机型有节能或半胆模式），测试时设为65°C。",
                  "断电拆盖，逐根测加热管：2kW加热管约26Ω，开路则更换；对地绝缘电阻不低于2MΩ。",
                  "检查温控器：冷水时导通，到设定温度断开；提前断开的更换。",
                  "放水后顺便检查镁棒和水垢：镁棒剩不到三分之一就更换，并冲洗内胆沉积物。",
                  "注满水加热，在龙头处测温，在铭牌标注的加热时间内应达到设定温度。"],
                &[ZH_POWER, "放水用软管接到地漏，最先放出的是热水。"]),
        ]),
        article(WH, &["Vaillant", "Worcester Bosch"], &["ecoTEC *", "Greenstar *"], &["F22", "CE207"], &["WH-EXP-8L", "WH-PRV-07"], vec![
            en("Combi boiler losing pressure (Vaillant F22, Worcester CE 207)",
                &["Pressure gauge falls below 1 bar every few days",
                  "Boiler locks out with a low water pressure fault",
                  "Water dripping from the copper pipe outside the wall"],
                &["Expansion vessel has lost its air charge, so the relief valve opens as the system heats",
                  "Pressure relief valve seat damaged or fouled",
                  "Leak on the heating system (radiator valves, joints, automatic air vent)"],
                &["Top up to 1.0–1.5 bar cold and watch the gauge while heating: a rise above 2.5 bar means the expansion vessel is not working.",
                  "Isolate the boiler's flow and return, drain the boiler side to 0 bar and check the vessel charge at its valve: it should be 0.75–1.0 bar. Recharge with a pump; if water comes from the air valve or it will not hold, replace the vessel.",
                  "Check the relief valve discharge pipe outside: if it drips with the system below 2 bar, replace the relief valve.",
                  "No discharge and the vessel holds: look for leaks at radiator valves, joints under floors and the automatic air vent on the pump.",
                  "Refill to 1.2 bar cold, run the heating for 30 minutes and confirm the pressure stays below 2.5 bar hot and holds over the following days."],
                &["Let the system cool first: heating water is hot and under pressure.",
                  "Only a Gas Safe registered engineer may open the boiler's sealed case."]),
        ]),
        article(WH, &[], &[], &[], &["WH-PRV-07", "WH-EXP-8L"], vec![
            en("Relief valve dripping on a storage water heater",
                &["Relief valve drips all the time, even when not heating",
                  "A lot of water comes out every time the heater warms up",
                  "Floor wet under the heater"],
                &["Mains pressure above the valve's 0.7 MPa setting, with no pressure-reducing valve",
                  "Scale or grit on the valve seat",
                  "No room for expansion: missing or flat expansion vessel on an unvented system"],
                &["Explain that a few drops while heating are normal expansion on heaters without a vessel: the drip must stop when heating stops.",
                  "Measure the incoming pressure at the nearest tap with a gauge: above 0.5 MPa, fit a pressure-reducing valve on the cold supply to the heater.",
                  "Lift the valve lever a few times to flush the seat; if it still drips with heating off, replace the relief valve (0.7 MPa).",
                  "Unvented systems: drain the water side and check the expansion vessel charge matches the pressure-reducing valve setting (commonly about 3 bar); recharge or replace.",
                  "Run the discharge to a drain through a visible air gap so any future discharge does not go on the floor."],
                &["Never plug or cap a relief valve: it stops the tank from bursting.", EN_POWER]),
            zh("热水器安全阀一直滴水",
                &["不加热时安全阀也一直滴水", "每次加热都排出很多水", "热水器下方地面潮湿"],
                &["自来水压力超过安全阀0.7MPa的设定值，又没有装减压阀", "阀座上有水垢或杂质", "承压系统没有膨胀罐或膨胀罐没气"],
                &["先向客户说明：没有膨胀罐的热水器加热时滴几滴水是正常的热胀泄压，停止加热后应该不再滴。",
                  "在最近的龙头上用压力表测进水压力：超过0.5MPa时，在热水器冷水进口加装减压阀。",
                  "扳动安全阀手柄几次冲洗阀座；不加热时仍滴水的，更换安全阀（0.7MPa）。",
                  "承压系统：放掉水侧压力，检查膨胀罐预充压力应与减压阀设定值一致（常见约0.3MPa），不足的补气或更换。",
                  "安全阀排水管接到地漏并留出可见的空气间隙，以后泄压也不会流到地上。"],
                &["严禁堵住或封死安全阀，它能防止内胆爆裂。", ZH_POWER]),
        ]),
    ]
}

#[rustfmt::skip]
fn washing_machines() -> Vec<ArticleContent> {
    use EquipmentCategory::WashingMachine as WM;
    vec![
        article(WM, &["Little Swan", "Haier"], &["TG100*", "TD100*", "EG100*", "XQG100*"], &["E21", "ERR2"], &["WM-FLT-DRN", "WM-PUMP-DRN-01", "GEN-HOSE-DRN-20"], vec![
            en("Won't drain or spin, E21: drain pump filter blocked",
                &["E21 shown during the spin (Err2 on some Haier models)",
                  "Water left in the drum at the end of the cycle",
                  "Drum does not spin and the door stays locked"],
                &["Drain filter blocked by coins, hair grips or lint",
                  "Drain pump impeller jammed, or pump coil open circuit",
                  "Drain hose kinked, blocked or pushed too far into the standpipe"],
                &["Isolate the power. Lay towels and a shallow tray, open the small flap at the bottom front and let the water out through the emergency drain hose.",
                  "Unscrew the drain filter slowly anticlockwise, clear coins, hair grips and lint, and check the impeller behind it turns freely (turning in short jerks is normal).",
                  "Measure the pump coil at its connector: about 150–250 Ω is normal. Open circuit or a seized impeller means a new drain pump.",
                  "Check the drain hose: not kinked behind the machine, outlet no higher than 100 cm and not sealed into the standpipe (it would siphon); clear the spigot if it drains under the sink.",
                  "Refit the filter hand-tight, run Rinse + Spin and check the water drains within about 2 minutes and the drum reaches full spin."],
                &["Isolate the power before opening the filter: up to 15 L of water may come out, hot after a hot wash."]),
            zh("洗衣机不排水不脱水，显示E21：排水泵过滤器堵塞",
                &["脱水时显示E21（部分海尔机型显示Err2）", "程序结束后桶里还有水", "滚筒不脱水，门也打不开"],
                &["排水过滤器被硬币、发夹、线头堵住", "排水泵叶轮卡死或线圈开路", "排水管打折、堵塞，或插入下水管过深"],
                &["断电，地上铺毛巾、放浅盘，打开机器前下方的小门，用应急排水管把水放干净。",
                  "逆时针慢慢拧出排水过滤器，清理硬币、发夹和线头；用手拨后面的叶轮，能一顿一顿地转动属正常。",
                  "在排水泵插头处测线圈阻值，约150–250Ω为正常；开路或叶轮卡死就更换排水泵。",
                  "检查排水管：机器背后不打折，出口高度不超过100cm，不能与下水管密封连接（会虹吸）；接在水槽下的要疏通接口。",
                  "装回过滤器并用手拧紧，运行“漂洗+脱水”，确认约2分钟内排空并能高速脱水。"],
                &["打开过滤器前先断电，可能流出15升左右的水，刚洗完高温程序的水很烫。"]),
        ]),
        article(WM, &["Bosch", "Siemens"], &["WAN28*", "WGG24*", "WAU28*", "WM14N*", "WG44G*"], &["E21", "F21"], &["WM-BRUSH-PAIR", "WM-PCB-MAIN"], vec![
            en("Bosch/Siemens E21 (F21): drum blocked or motor not turning",
                &["E21 or F21 shown and the programme stops",
                  "Drum does not turn for washing or spinning",
                  "Motor clicks or tries briefly"],
                &["Object (bra wire, coin) jammed between drum and tub",
                  "Carbon brushes worn (brushed motors), or a motor winding or tacho fault",
                  "Motor wiring loom or control module fault"],
                &["Isolate and drain through the pump filter. Turn the drum by hand: it should turn freely with a soft bearing sound; if it catches, remove the heater or the sump hose and take the object out.",
                  "Remove the back panel and check the motor connector and the wiring loom for chafing where it passes the tub.",
                  "Brushed motors: replace the brushes as a pair if worn to about 10 mm or if the commutator is burnt, and measure the tacho coil (roughly 100–200 Ω). Brushless (EcoSilence) motors: the three windings should read the same phase to phase.",
                  "If the drum is free and the motor tests good, the fault is on the power module: replace the control module and code it to the machine as the service instructions say.",
                  "Run a spin-only programme and check the drum reaches full speed with no E21."],
                &[EN_POWER, "The drum unit is heavy: support it when removing the motor or shock absorbers."]),
        ]),
        article(WM, &["Bosch", "Siemens"], &["WAN28*", "WGG24*", "WAU28*", "WM14N*", "WG44G*"], &["E18", "F18"], &["WM-PUMP-DRN-01", "WM-FLT-DRN"], vec![
            en("Bosch/Siemens E18 (F18): water not pumping out",
                &["E18 or F18 shown, water left in the drum",
                  "Pump hums but the water level does not drop",
                  "Programme stops before the spin"],
                &["Pump filter behind the bottom flap blocked",
                  "Drain hose or sink spigot blocked, or hose end more than 1 m high",
                  "Drain pump seized or open circuit"],
                &["Isolate. Open the service flap, drain through the small emergency hose into a tray, then unscrew the pump filter and clean it and its housing.",
                  "Check the impeller turns freely and remove any hair wound round its shaft.",
                  "Check the drain hose for kinks and blockages, and the sink spigot for a blanking disc left in on a new installation.",
                  "Measure the pump at its connector (about 150–250 Ω); open circuit or seized means replacing the drain pump.",
                  "Run Spin/Drain and check the water clears within about 90 seconds."],
                &["Isolate before opening the flap; the water may be hot after a hot wash."]),
            zh("博世/西门子洗衣机E18（F18）：不排水",
                &["显示E18或F18，桶里有积水", "排水泵嗡嗡响但水位不降", "程序在脱水前停止"],
                &["机器前下方的排水泵过滤器堵塞", "排水管或水槽下的排水接口堵塞，或排水管出口高于1米", "排水泵卡死或线圈开路"],
                &["断电，打开维修小门，用应急排水管把水放到盆里，再拧下排水过滤器，清洗过滤器和泵腔。",
                  "检查叶轮转动是否灵活，清除缠在轴上的头发。",
                  "检查排水管有无打折、堵塞；新装机的要看水槽排水接口的堵片是否打通。",
                  "在插头处测排水泵阻值（约150–250Ω），开路或卡死就更换排水泵。",
                  "运行“脱水/排水”程序，确认约90秒内排空。"],
                &["开小门前先断电，刚洗完高温程序的水可能很烫。"]),
        ]),
        article(WM, &[], &[], &[], &["WM-DOOR-LOCK"], vec![
            en("Door will not open after the cycle",
                &["Door stays locked for more than 3 minutes after the programme ends",
                  "Lock symbol still lit",
                  "Water visible in the drum"],
                &["Water still in the drum, so the machine keeps the door locked (a drain fault)",
                  "Door interlock failed or its catch broken",
                  "Control board not releasing the lock"],
                &["Wait 2–3 minutes after the end: the lock releases only when the drum has stopped and, on some models, after a thermal delay.",
                  "If there is water in the drum, drain it through the filter and treat it as a drain fault.",
                  "Open the door with the emergency release (a tab or cord behind the filter flap on most models) and check the catch on the door for damage.",
                  "Isolate, remove the outer door seal clamp band and fold the seal back to reach the interlock; check it for scorched terminals.",
                  "Check whether the board sends mains to the lock at the end of the cycle: if the lock ignores a correct signal, replace the interlock; if there is no signal, check the board.",
                  "Run a quick wash and check the door locks and releases every time."],
                &[EN_POWER]),
            zh("洗衣机洗完后门打不开",
                &["程序结束3分钟以上门还锁着", "门锁指示灯一直亮", "滚筒里还能看到水"],
                &["桶里还有水，机器保持锁门（实为排水故障）", "门锁开关损坏或门钩断裂", "电脑板没有给门锁解锁信号"],
                &["程序结束后先等2–3分钟：滚筒停稳后才解锁，部分机型门锁有热延时。",
                  "桶里有水的，先从排水过滤器放水，按排水故障处理。",
                  "用应急开门拉环（多数机型在过滤器小门内）打开门，检查门上的门钩有无损坏。",
                  "断电，拆下门封圈外箍，把门封圈翻开露出门锁，检查接线端子有无烧蚀。",
                  "检查程序结束时电脑板是否给门锁送电：信号正常但门锁不动作，更换门锁开关；没有信号则查电脑板。",
                  "运行一个快洗程序，确认每次都能正常锁门、开门。"],
                &[ZH_POWER]),
        ]),
        article(WM, &[], &[], &[], &["WM-DOOR-SEAL", "WM-FLT-DRN", "GEN-HOSE-IN-15"], vec![
            en("Water leaking from under the washing machine",
                &["Puddle under the front or back of the machine",
                  "Leak only while filling, or only while draining",
                  "Soap residue or mould round the door seal"],
                &["Door seal split or torn, often in the bottom fold",
                  "Drain filter not screwed fully home or its seal damaged",
                  "Inlet hose washer perished or hose split; detergent drawer blocked and overflowing"],
                &["Dry the floor and the base, run a rinse and watch with a torch to see when and where the water appears.",
                  "Check the folds of the door seal for splits and trapped objects; replace a torn seal and check the inner clamp band.",
                  "Remove the drain filter, clean its thread and seal, and refit it fully home.",
                  "Check both ends of the inlet hose: renew the rubber washers, and the hose if it bulges or is cracked.",
                  "Clean the detergent drawer and its housing; a blocked drawer overflows down the front.",
                  "Run a full cycle and check the base stays dry."],
                &[EN_POWER]),
            zh("洗衣机底部漏水",
                &["机器前面或后面下方积水", "只在进水时漏，或只在排水时漏", "门封圈周围有洗衣粉残留或发霉"],
                &["门封圈开裂或破损，多在底部褶皱处", "排水过滤器没拧到位或密封圈损坏", "进水管垫圈老化或水管开裂；洗衣液盒堵塞溢水"],
                &["擦干地面和机器底部，运行一次漂洗，用手电观察什么时候、从哪里出水。",
                  "翻开门封圈褶皱检查有无裂口和异物，破损的更换，同时检查内箍。",
                  "拧下排水过滤器，清洁螺纹和密封圈后拧到底。",
                  "检查进水管两端：更换橡胶垫圈，水管鼓包或开裂的整根更换。",
                  "清洗洗衣液盒和盒座，盒子堵了会从前面溢水。",
                  "完整运行一个程序，确认底部不再有水。"],
                &[ZH_POWER]),
        ]),
        article(WM, &[], &[], &[], &["WM-BRG-KIT-6205", "WM-SHOCK-PAIR"], vec![
            en("Loud spin, machine moves across the floor",
                &["Rumbling or roaring that rises with spin speed",
                  "Machine bangs and walks during the spin",
                  "Drum has play when lifted by hand"],
                &["Transit bolts left in after installation",
                  "Machine not level, or shock absorbers worn",
                  "Drum bearings worn (rumble, rust streaks behind the drum)"],
                &["On a new installation, check the transit bolts at the back have been removed and the blanking caps fitted.",
                  "Level the machine with a spirit level; adjust the feet and lock their nuts so all four carry weight.",
                  "Push the drum down: it should move with firm resistance and no clunk. Replace weak shock absorbers as a pair.",
                  "Lift the drum at the top: more than slight movement, or a rumble when turned by hand, means worn bearings. Replace bearings and seal with the kit and check the drum spider for corrosion.",
                  "Test a full spin with a mixed load (a single heavy item such as a bath mat will always unbalance)."],
                &[EN_POWER, "Tub and counterweights are heavy: two people to lift the tub out."]),
            zh("洗衣机脱水时剧烈晃动、移位",
                &["脱水时轰轰响，转速越高越响", "机器在地上跳动、移位", "用手抬滚筒有明显旷量"],
                &["安装时没拆运输螺栓", "机器不水平，或减震器老化", "滚筒轴承磨损（有轰隆声，滚筒后面有锈迹）"],
                &["新装机先检查背后的运输螺栓是否已拆下并装好堵盖。",
                  "用水平尺调平，调整底脚并锁紧螺母，四个脚都要着力。",
                  "向下按压滚筒，应有明显阻尼且无撞击声；减震器无力的成对更换。",
                  "抬起滚筒上沿，旷量明显，或用手转动有轰隆声，说明轴承磨损，用轴承油封套件更换，并检查三角架有无腐蚀。",
                  "放入混合衣物试高速脱水（只洗一块厚地垫必然不平衡）。"],
                &[ZH_POWER, "外桶和配重块很重，拆外桶要两人配合。"]),
        ]),
        article(WM, &[], &[], &["E1", "E10", "E17"], &["WM-VLV-INLET", "GEN-HOSE-IN-15"], vec![
            en("Fills very slowly or not at all (E1/E10, Bosch E17)",
                &["Water trickles in or not at all, then the programme stops",
                  "E1 or E10 (Little Swan), E17 (Bosch, Siemens); LG shows IE, Samsung 4C",
                  "Valve hums at the back of the machine"],
                &["Tap partly closed or low water pressure",
                  "Inlet filter mesh blocked with scale or grit",
                  "Inlet valve coil open circuit or valve jammed"],
                &["Check the tap is fully open and the hose is not kinked; the supply needs at least 0.1 MPa (1 bar).",
                  "Turn off the tap, unscrew the hose at the machine and clean the mesh filter in the valve inlet with pliers and a small brush.",
                  "Isolate and measure each valve coil: typically 3–5 kΩ; open circuit means replacing the inlet valve.",
                  "If the valve and the pressure are good, check the pressure switch hose for a blockage before suspecting the board.",
                  "Run a rinse and time the fill: the water should reach the wash level in about 2 minutes."],
                &[EN_POWER]),
            zh("洗衣机进水很慢或不进水（E1/E10，博世E17）",
                &["进水很细或不进水，之后程序停止", "小天鹅显示E1或E10，博世、西门子显示E17", "机器后面进水阀嗡嗡响"],
                &["水龙头没开足或水压低", "进水阀滤网被水垢、沙粒堵住", "进水阀线圈开路或阀芯卡死"],
                &["确认水龙头全开、进水管不打折，水压至少需要0.1MPa。",
                  "关水龙头，拧下机器端进水管，用尖嘴钳取出进水阀滤网，用小刷子刷净。",
                  "断电测进水阀每个线圈，一般3–5kΩ，开路就更换进水阀。",
                  "进水阀和水压都正常时，先查水位开关的压力管是否堵塞，再怀疑电脑板。",
                  "运行漂洗并计时，约2分钟内应进到洗涤水位。"],
                &[ZH_POWER]),
        ]),
        article(WM, &[], &[], &[], &["WM-BELT-1270J5", "WM-BRUSH-PAIR", "WM-PCB-MAIN"], vec![
            zh("洗衣机滚筒不转，电机嗡嗡响",
                &["洗涤时只听到电机嗡嗡声，滚筒不动", "用手转滚筒很沉或卡住", "有时有焦糊味"],
                &["滚筒和外桶之间卡进文胸钢圈、硬币等异物", "皮带脱落或老化打滑（皮带传动机型）", "电机碳刷磨损、绕组故障，或电脑板没有驱动输出"],
                &["断电排空水，用手转滚筒：有卡顿就拆下加热管或桶底排水软管，取出异物。",
                  "拆后盖检查皮带：脱落的重新装上，开裂打滑的按皮带上的型号（如1270 J5）更换。",
                  "检查电机碳刷，磨到约10mm以下或换向器烧蚀的，成对更换碳刷。",
                  "测电机绕组和测速线圈阻值，开路就更换电机；电机正常而没有驱动输出的，更换电脑板。",
                  "通电试洗涤和脱水，确认正反转正常、没有异响。"],
                &[ZH_POWER]),
        ]),
        article(WM, &["Midea"], &["MG100*", "MD100*"], &["E4"], &["WM-VLV-INLET", "WM-PCB-MAIN"], vec![
            en("Midea E4: water level too high (overflow protection)",
                &["E4 shown during filling or washing and the programme stops",
                  "Drain pump runs on its own with the door locked",
                  "Water keeps trickling into the drum with the machine switched off"],
                &["Pressure hose from the tub to the water-level sensor blocked with lint or detergent, kinked or pulled off",
                  "Inlet valve not closing fully (scale or grit in the seat)",
                  "Water-level sensor or main board misreading the level"],
                &["Isolate the power and turn the tap off. If the drum still fills with the power off, the inlet valve lets by: replace it.",
                  "Remove the top panel and follow the thin pressure hose from the tub air trap to the level sensor on the board. Pull it off, blow through it towards the tub and clear lint or detergent from the air trap; refit it without kinks.",
                  "Check the hose nipple on the sensor and the air trap for cracks and the clip for a tight fit.",
                  "Reconnect, run Rinse + Spin and watch the level: filling must stop at the wash level. If it still overfills with a clear hose and a closing valve, replace the main board (the level sensor is on it on MG and MD models).",
                  "Run a short wash and check no E4 and no water on the floor."],
                &[EN_POWER]),
            zh("美的洗衣机E4：水位过高（溢水保护）",
                &["进水或洗涤时显示E4，程序停止", "门锁着，排水泵自己一直在抽水", "关机后仍有水流进滚筒"],
                &["外桶到水位传感器的压力管被线屑、洗衣粉堵住，打折或脱落", "进水阀关不严（阀座有水垢或沙粒）", "水位传感器或电脑板检测水位错误"],
                &["断电并关水龙头。断电后滚筒里还在进水，说明进水阀关不严，更换进水阀。",
                  "拆上盖板，顺着细压力管从外桶集气室找到电脑板上的水位传感器；拔下压力管，向外桶方向吹通，清理集气室里的线屑和洗衣粉，装回时不能打折。",
                  "检查传感器接嘴和集气室有无裂纹，卡箍是否卡紧。",
                  "装好后运行“漂洗+脱水”观察水位：到洗涤水位必须停止进水。压力管通畅、进水阀关得严仍然溢水的，更换电脑板（MG、MD系列的水位传感器在电脑板上）。",
                  "试运行一个快洗程序，确认不再报E4，地上没有水。"],
                &[ZH_POWER]),
        ]),
    ]
}

#[rustfmt::skip]
fn refrigerators() -> Vec<ArticleContent> {
    use EquipmentCategory::Refrigerator as RF;
    vec![
        article(RF, &[], &[], &[], &["RF-FAN-EVAP", "RF-HTR-DEF", "RF-SNS-DEF"], vec![
            en("Fridge not cold, freezer still working",
                &["Fridge at 10 °C or warmer while the freezer holds −18 °C",
                  "No air from the vents in the fridge",
                  "Frost visible behind the freezer air outlets"],
                &["Evaporator iced up because the defrost system failed",
                  "Evaporator fan motor seized or not powered",
                  "Air damper stuck closed, or vents blocked by food"],
                &["Check the settings (fridge 3–5 °C) and that food is not blocking the air outlets at the back of the fridge.",
                  "Press the door switch and listen at the freezer vents: no fan noise means the fan is not running.",
                  "Switch off, empty the freezer and remove its back panel: a solid block of ice on the evaporator means a defrost fault (see the defrost article).",
                  "If the evaporator is clear, check the fan turns freely and has its supply (many are 12 V DC); replace the fan motor if it is powered but does not run.",
                  "Check the damper opens when the fridge calls for cooling; free it or replace it.",
                  "Refit, run for 6 hours and check 3–5 °C in the fridge with a thermometer."],
                &[EN_POWER]),
            zh("冰箱冷藏室不制冷，冷冻室正常",
                &["冷藏室10°C以上，冷冻室能到−18°C", "冷藏室出风口没有风", "冷冻室出风口后面能看到结霜"],
                &["化霜系统失效，蒸发器结满冰", "蒸发器风扇电机卡死或没电", "风门卡在关闭位置，或出风口被食物挡住"],
                &["检查设定温度（冷藏3–5°C），冷藏室后壁出风口不要被食物挡住。",
                  "按住门开关，在冷冻室出风口听风扇声：听不到说明风扇不转。",
                  "断电，清空冷冻室，拆下后盖板：蒸发器结成整块冰说明是化霜故障（见化霜相关文章）。",
                  "蒸发器没结冰的，检查风扇转动是否灵活、有没有供电（很多是12V直流）；有电不转就更换风扇电机。",
                  "检查冷藏需要制冷时风门能否打开，卡住的修复或更换。",
                  "装好后运行6小时，用温度计确认冷藏室3–5°C。"],
                &[ZH_POWER]),
        ]),
        article(RF, &[], &[], &[], &["RF-HTR-DEF", "RF-SNS-DEF", "RF-GASKET"], vec![
            en("Ice building up on the back wall, water under the salad drawers",
                &["Thick ice on the back wall of the fridge",
                  "Water pooling under the salad drawers",
                  "Fridge warmer than set"],
                &["Defrost drain hole blocked with food debris, so meltwater freezes or overflows",
                  "Door gasket not sealing, letting moist air in",
                  "Defrost heater or defrost sensor failed (frost-free models)"],
                &["Clear the drain hole in the channel at the back with the cleaning tool or a soft rod and flush with about 100 ml of warm water until it runs to the tray on the compressor.",
                  "Close a sheet of paper in the door at several points: it should grip. Warm a deformed gasket with a hair dryer to reshape it, or replace it.",
                  "Frost-free models with ice on the evaporator: isolate, remove the cover and measure the defrost heater (R = V²/P, so a 160 W heater reads about 330 Ω); open circuit means replace it.",
                  "Measure the defrost sensor against the table on the wiring diagram (commonly 5–10 kΩ at 25 °C, higher when cold); replace it if open.",
                  "Melt all the ice before restarting (hair dryer on low, never a sharp tool), then run for 24 hours and check again."],
                &[EN_POWER, "Never chip ice off the evaporator: a punctured evaporator releases flammable R600a refrigerant."]),
            zh("冰箱后壁结冰严重，冷藏室底部积水",
                &["冷藏室后壁结了厚厚的冰", "果蔬盒下面积水", "冷藏温度比设定的高"],
                &["化霜排水孔被食物残渣堵住，化霜水结冰或溢出", "门封条不严，潮湿空气进入", "化霜加热器或化霜传感器损坏（风冷机型）"],
                &["用随机疏通棒或软棒疏通后壁水槽里的排水孔，灌约100毫升温水，直到水流到压缩机上方的接水盘。",
                  "在门缝几个位置夹一张纸关门，纸应被夹紧；变形的门封条用吹风机加热整形，不行就更换。",
                  "风冷机型蒸发器结冰：断电拆盖板测化霜加热器（R=V²/P，160W加热器约330Ω），开路就更换。",
                  "按接线图阻值表测化霜传感器（常见25°C时5–10kΩ，温度越低阻值越大），开路就更换。",
                  "开机前把冰全部化掉（吹风机低档，严禁用尖锐工具），运行24小时后复查。"],
                &[ZH_POWER, "严禁用工具敲冰，蒸发器被扎破会泄漏易燃的R600a冷媒。"]),
        ]),
        article(RF, &[], &[], &[], &["RF-RLY-PTC", "RF-FAN-EVAP"], vec![
            en("Fridge freezer making a loud buzzing or clicking noise",
                &["Loud buzz from the back, with a click every few minutes",
                  "Rattling or scraping inside the freezer",
                  "Noise louder since the fridge was moved"],
                &["Compressor failing to start: faulty start relay (PTC) or a failing compressor",
                  "Fan blade touching ice or its cover",
                  "Fridge not level, or pipes touching the cabinet"],
                &["Find the source: compressor (bottom rear), condenser fan (bottom rear on some models) or evaporator fan (inside the freezer).",
                  "Buzz then a click every few minutes: isolate, pull the start relay off the compressor and measure it; a PTC reads about 4–30 Ω cold. Open circuit or rattling inside means replace it.",
                  "Measure the compressor windings between the pins: the highest reading should equal the other two added together, and every pin to the body must be open. A winding fault needs a sealed-system repair.",
                  "Scraping in the freezer: remove the fan cover, clear the ice and check the blade; if iced, treat it as a defrost fault.",
                  "Level the appliance and ease pipes away from the cabinet so they do not touch."],
                &[EN_POWER, EN_R600A]),
            zh("冰箱噪音大，嗡嗡响",
                &["背后嗡嗡响，每隔几分钟咔哒一声", "冷冻室里有刮擦声或哒哒声", "搬动过冰箱后噪音变大"],
                &["压缩机启动不了：启动器（PTC）损坏或压缩机老化", "风扇叶碰到冰或风罩", "冰箱不平，或管路碰到箱体"],
                &["先找声源：压缩机（后下方）、冷凝风扇（部分机型在后下方）还是蒸发器风扇（冷冻室内）。",
                  "嗡嗡响后咔哒一声、反复出现：断电拔下压缩机上的启动器测量，PTC常温约4–30Ω，开路或摇晃有响声就更换。",
                  "测压缩机三个接线柱间阻值：最大的一组应等于另两组之和，各接线柱对外壳必须不通；绕组坏了需做封闭系统维修。",
                  "冷冻室刮擦声：拆风罩除冰、检查扇叶，结冰的按化霜故障处理。",
                  "调平冰箱，把管路轻轻拨开，不要碰到箱体。"],
                &[ZH_POWER, ZH_R600A]),
        ]),
        article(RF, &["Haier", "Midea", "Hisense"], &["BCD-*", "HB20*", "MDRF632*", "RF540*"], &[], &["RF-RLY-PTC", "RF-THERM"], vec![
            en("Freezer not freezing, food thawing",
                &["Freezer at −10 °C or warmer",
                  "Compressor not running, or running all the time",
                  "Condenser cold, or very hot and dusty"],
                &["Compressor not starting (start relay, control board)",
                  "Condenser blocked with dust, or no ventilation gap",
                  "Refrigerant leak (whole appliance warm, compressor never stops)"],
                &["Check the setting (−18 °C), that the doors close fully, and the ventilation gaps (about 5 cm at the sides and back for freestanding models).",
                  "Feel the compressor and condenser: compressor cold and silent → check the supply from the board and the start relay.",
                  "Compressor running constantly, condenser only warm and frost on just one corner of the evaporator → probable leak or restriction: sealed-system work.",
                  "Clean the condenser and the compressor compartment with a brush and vacuum.",
                  "Check the thermostat or freezer sensor against the service data; replace it if it does not call for cooling.",
                  "After the repair, run 12 hours and check −18 °C with a probe thermometer."],
                &[EN_POWER, EN_R600A]),
            zh("冰箱冷冻室不冻，食物化了",
                &["冷冻室温度在−10°C以上", "压缩机不启动，或一直运转不停", "冷凝器不热，或者很烫、积满灰尘"],
                &["压缩机启动不了（启动器、主板）", "冷凝器积灰严重或散热空间不够", "冷媒泄漏（整机都不冷，压缩机一直运转）"],
                &["检查设定温度（−18°C）、门是否关严，以及散热间距（独立式两侧和背面约5cm）。",
                  "摸压缩机和冷凝器：压缩机冷、不响，查主板输出和启动器。",
                  "压缩机一直转、冷凝器只是温的、蒸发器只有一个角结霜，多为漏氟或堵塞，需做封闭系统维修。",
                  "用毛刷和吸尘器清洁冷凝器和压缩机仓。",
                  "对照维修资料检查温控器或冷冻传感器，不能正常要求制冷的更换。",
                  "修好后运行12小时，用探针温度计确认达到−18°C。"],
                &[ZH_POWER, ZH_R600A]),
        ]),
        article(RF, &["Samsung", "LG"], &["RS68*", "GSLV71*"], &[], &["RF-ICE-MKR", "RF-FLT-WATER"], vec![
            en("Ice maker stopped making ice",
                &["Ice bucket empty for more than a day",
                  "Water dispenser slow or not working",
                  "Small or hollow ice cubes"],
                &["Water filter blocked (overdue for change)",
                  "Supply line frozen in the door, or low mains pressure",
                  "Ice maker assembly or its fill valve failed"],
                &["Check the ice maker is switched on, the bucket is seated and the full-bucket sensor (arm or optical) is not blocked.",
                  "Dispense water for a minute: slow or none means replace the filter (every 6 months) and check the supply is at least 1.4 bar (0.14 MPa) with the stop valve fully open.",
                  "Still no water with a new filter: look for a frozen line in the door (thaw with a hair dryer on low) and check the freezer is not set below −20 °C.",
                  "Run the ice maker's test cycle (test button on the ice maker) and listen for the water fill.",
                  "If it cycles but gets no water, test the fill valve coil; if it does not cycle at all, replace the ice maker assembly."],
                &["Turn off the water and the power before removing the ice maker."]),
        ]),
    ]
}

#[rustfmt::skip]
fn dishwashers() -> Vec<ArticleContent> {
    use EquipmentCategory::Dishwasher as DW;
    const BSH: &[&str] = &["SMS4*", "SMV4*", "SPS2*", "SN23*", "SN85*"];
    vec![
        article(DW, &["Bosch", "Siemens"], BSH, &["E24", "E25"], &["DW-FLT-SET", "DW-PUMP-DRN"], vec![
            en("Bosch/Siemens E24 / E25: dishwasher not draining",
                &["E24 (or E25) on the display and the cycle stops",
                  "Dirty water standing in the bottom of the tub",
                  "Pump hums but nothing drains"],
                &["Filters and sump blocked with food waste, glass or labels",
                  "Drain hose kinked, or the sink spigot or waste disposer blocked",
                  "Drain pump cover jammed (E25) or pump faulty"],
                &["Switch off, lift out the filters and clean them under the tap; bail the water out of the sump with a cup and sponge.",
                  "Lever the drain pump cover (under the filters) out with a spoon handle, remove glass or labels and check the impeller turns freely.",
                  "Check the drain hose behind the machine for kinks, and the sink spigot or waste disposer inlet for blockages (on new installs the blanking disc may still be in).",
                  "Measure the drain pump at its connector (about 150–200 Ω); open circuit or seized means replace it.",
                  "Run a rinse or drain programme and check the tub empties, then run a short programme with no error."],
                &[EN_POWER, "Wear gloves: there may be broken glass in the sump."]),
            zh("博世/西门子洗碗机E24/E25：不排水",
                &["显示E24（或E25），程序停止", "内胆底部积着脏水", "排水泵嗡嗡响但不排水"],
                &["过滤网和集水槽被残渣、碎玻璃或标签堵住", "排水管打折，或水槽排水接口、垃圾处理器进口堵塞", "排水泵盖卡住（E25）或排水泵损坏"],
                &["断电，取出过滤网用水冲洗干净；用杯子和海绵把集水槽里的水舀干。",
                  "用勺柄撬开过滤网下方的排水泵盖，取出碎玻璃、标签，检查叶轮转动灵活。",
                  "检查机器背后排水管有无打折，水槽排水接口或垃圾处理器进口有无堵塞（新装机可能堵片没打通）。",
                  "在插头处测排水泵阻值（约150–200Ω），开路或卡死就更换。",
                  "运行排水或预冲洗程序确认排空，再运行一个短程序，不再报错。"],
                &[ZH_POWER, "集水槽里可能有碎玻璃，请戴手套。"]),
        ]),
        article(DW, &[], &[], &[], &["DW-ARM-LOWER", "DW-FLT-SET"], vec![
            en("Dishes still dirty after the cycle",
                &["Food left on plates after the cycle",
                  "Gritty film or white deposits on glasses",
                  "Lower rack worse than the upper"],
                &["Spray arms blocked or cracked, or stopped by tall items",
                  "Filters blocked",
                  "No salt in a hard-water area, wrong detergent or programme, or a weak circulation pump"],
                &["Check the loading: nothing tall stopping the lower arm or the detergent flap.",
                  "Remove the spray arms, clear the jets with a toothpick and rinse; replace an arm that is cracked or does not spin freely.",
                  "Clean the filters and check the fine mesh is not distorted.",
                  "Check the salt and rinse-aid levels and the water hardness setting; a white film with the salt empty means the softener is not working.",
                  "Run an intensive programme and listen: a weak, surging wash with clean filters points to the circulation pump."],
                &[EN_POWER]),
            zh("洗碗机洗不干净，碗上有残渣",
                &["洗完碗盘上还有食物残渣", "玻璃杯上有白色水垢或砂感", "下层比上层洗得差"],
                &["喷淋臂堵塞、开裂，或被高的餐具挡住", "过滤网堵塞", "硬水地区没加软水盐、洗涤剂或程序不对，或循环泵无力"],
                &["检查摆放：不能有高的餐具挡住下喷臂或洗涤剂盒盖。",
                  "拆下喷淋臂，用牙签疏通喷孔并冲洗；开裂或转动不灵活的更换。",
                  "清洗过滤网，检查细滤网有没有变形。",
                  "检查软水盐、光亮剂和硬水档位设置；没盐又有白膜，说明软水器没起作用。",
                  "运行强力程序听水声：过滤网干净但水流无力、时有时无，多为循环泵问题。"],
                &[ZH_POWER]),
        ]),
        article(DW, &["Bosch", "Siemens"], BSH, &["E15"], &["DW-HOSE-AQUA"], vec![
            en("Bosch/Siemens E15: water in the base, dishwasher leaking",
                &["E15 on the display and the drain pump runs all the time",
                  "Water on the floor at the front",
                  "Programme will not start"],
                &["Leak inside the machine filling the base tray (door seal, sump seal, pump seals)",
                  "Over-foaming from washing-up liquid used instead of dishwasher detergent",
                  "Leaking aqua-stop hose or inlet connection"],
                &["Switch off at the socket, turn off the water, pull the machine out and tilt it back about 45° to empty the base tray onto towels so the float resets.",
                  "Ask what detergent was used; if foam was the cause, rinse the tub and run an empty rinse programme.",
                  "Remove the kick plate and base cover where possible, run a fill and use a torch to find the leak: door seal, spray arm housing, sump seal, circulation pump or hose clips.",
                  "Replace the leaking seal or part; replace the aqua-stop hose if its outer casing is wet.",
                  "Dry the base tray fully, then run a full programme and check the base stays dry."],
                &[EN_POWER]),
            zh("博世/西门子洗碗机E15：底盘进水，漏水",
                &["显示E15，排水泵一直在转", "机器前面地上有水", "程序无法启动"],
                &["机器内部漏水流到底盘（门封、集水槽密封、水泵密封）", "误用洗洁精产生大量泡沫溢出", "防漏进水管或进水接头漏水"],
                &["拔掉插头、关水，把机器拉出来，向后倾斜约45°把底盘的水倒到毛巾上，让浮子复位。",
                  "问客户用的什么洗涤剂；是泡沫引起的，冲洗内胆后空机运行一次漂洗程序。",
                  "能拆的拆下踢脚板和底板，进水运行时用手电找漏点：门封、喷臂座、集水槽密封、循环泵或管卡。",
                  "更换漏水的密封件或部件；防漏进水管外套管里有水的，整根更换。",
                  "把底盘彻底擦干，完整运行一个程序，确认底盘不再进水。"],
                &[ZH_POWER]),
        ]),
        article(DW, &["Bosch", "Siemens"], BSH, &["E09"], &["DW-PUMP-CIRC"], vec![
            en("Bosch/Siemens E09: not heating the water",
                &["Water cold through the whole cycle",
                  "E09 shown, or the programme runs far longer than usual",
                  "Dishes wet and greasy at the end"],
                &["Heater in the circulation (heat) pump open circuit",
                  "Temperature sensor (NTC) fault",
                  "Wiring or power module fault"],
                &["Isolate, remove the kick plate and lay the machine on its back on a blanket to reach the heat pump on the sump.",
                  "Measure the heater circuit on the pump: about 20–30 Ω; open circuit means replace the circulation pump with heater.",
                  "Test the heater to earth with an insulation tester: at least 2 MΩ (a leak to earth also trips the RCD).",
                  "Measure the NTC against the service data; replace it if open or shorted.",
                  "Run a programme and check the water reaches 50–65 °C with a thermometer."],
                &[EN_POWER]),
            zh("博世/西门子洗碗机E09：不加热",
                &["整个程序都是冷水", "显示E09，或程序时间比平时长很多", "洗完餐具湿、油腻"],
                &["循环泵（加热泵）里的加热器开路", "温度传感器（NTC）故障", "线路或电源板故障"],
                &["断电，拆下踢脚板，把机器背面朝下放在毯子上，从底部接近集水槽上的加热泵。",
                  "测泵上的加热器阻值约20–30Ω，开路就更换带加热循环泵。",
                  "用绝缘电阻表测加热器对地不低于2MΩ（对地漏电还会让漏保跳闸）。",
                  "对照维修资料测NTC阻值，开路或短路的更换。",
                  "运行一个程序，用温度计确认水温能到50–65°C。"],
                &[ZH_POWER]),
        ]),
        article(DW, &["Miele"], &["G 5*", "G 7*"], &["F11"], &["DW-PUMP-DRN", "DW-FLT-SET"], vec![
            en("Miele F11: waste water fault",
                &["F11 shown, water left in the tub",
                  "Drain pump runs but the water drains slowly",
                  "Fault on the first wash after a new installation"],
                &["Filter combination or the drain pump's non-return valve blocked",
                  "Drain hose kinked, or the sink waste connection blocked",
                  "Drain pump faulty"],
                &["Remove and clean the filter combination; bail out the water from the sump.",
                  "Lever off the non-return valve cover beside the filter, clean it and check the drain pump impeller turns freely.",
                  "Check the drain hose route and the connection at the sink waste; on new installations make sure the blanking plug has been cut out.",
                  "Measure the pump at its plug; replace it if open circuit or seized.",
                  "Switch off and on to clear the fault, run a drain programme, then a short wash."],
                &[EN_POWER]),
        ]),
        article(DW, &["Midea", "Beko", "Whirlpool"], &["WQP12-J7209", "RX600", "DVN05320W", "DIN15X20", "WFC 3C26 P UK"], &[], &["DW-HINGE-KIT"], vec![
            zh("洗碗机门关不严、运行中途停止",
                &["关门要用力推，门扣不住", "门一松手就往下掉或自己弹开", "洗到一半停止，开关门后又能继续"],
                &["门铰链弹簧或拉绳断裂（嵌入式装了厚门板的更常见）", "门锁扣变形或门开关接触不良", "机器不水平，门和内胆错位"],
                &["关门观察门和内胆是否对齐，用水平尺检查前后左右水平，调整底脚。",
                  "门开到一半松手，门应停住或缓慢下落；掉得很快说明铰链弹簧或拉绳断了，左右两侧的门铰链套件要一起换。",
                  "嵌入式机型检查装饰门板重量是否超出说明书范围，必要时调紧弹簧。",
                  "检查门锁扣有无变形，用万用表测门开关，关门时应导通。",
                  "调好后关门运行一个快洗程序，确认中途不再停止。"],
                &[ZH_POWER, "拆装铰链弹簧时要握紧，弹簧回弹容易伤手。"]),
        ]),
    ]
}

#[rustfmt::skip]
fn ovens_and_hoods() -> Vec<ArticleContent> {
    use EquipmentCategory::{Oven as OV, RangeHood as RH};
    vec![
        article(OV, &[], &[], &[], &["OV-ELEM-FAN", "OV-FAN-MTR"], vec![
            en("Fan oven not heating, or fan not turning",
                &["Top and bottom heat work but fan oven stays cold",
                  "Fan not turning, or grinding at the back of the oven",
                  "Oven takes much longer than usual to heat"],
                &["Fan oven (ring) element open circuit",
                  "Fan motor bearings seized",
                  "Thermal cut-out tripped because the fan stopped"],
                &["Select fan oven and check whether the fan turns and the ring element warms.",
                  "Isolate at the cooker switch, remove the back panel inside the oven (and the fan blade; left-hand thread on many models) to reach the element.",
                  "Measure the ring element: a 2500 W element reads about 21 Ω; open circuit means replace it. Each terminal to the sheath must read open.",
                  "Spin the fan by hand: stiff or noisy means replace the fan motor.",
                  "Check the thermal cut-out for continuity; if it had tripped, find out why (stopped fan, blocked vents).",
                  "Reassemble and check the oven reaches 180 °C in about 10–15 minutes with an oven thermometer."],
                &["Isolate at the cooker control switch: ovens are usually wired on their own circuit.",
                  "Let the oven cool completely before working inside it."]),
            zh("烤箱热风不加热，或风扇不转",
                &["上下加热正常，热风模式不热", "风扇不转，或烤箱后部有摩擦声", "预热时间比平时长很多"],
                &["热风（环形）加热管开路", "风扇电机轴承卡死", "风扇停转导致温度保护器跳开"],
                &["选热风模式，观察风扇转不转、环形加热管热不热。",
                  "在烤箱专用开关断电，拆下内腔后板（多数机型风扇叶是反牙），露出加热管。",
                  "测环形加热管：2500W约21Ω，开路就更换；各端子对外壳必须不通。",
                  "用手拨风扇：发涩或有响声就更换风扇电机。",
                  "测温度保护器是否导通；跳开过的要查原因（风扇停转、散热口被堵）。",
                  "装好后用烤箱温度计检查，约10–15分钟能升到180°C。"],
                &["在烤箱专用开关处断电，烤箱一般是单独回路供电。", "等烤箱完全冷却后再拆内腔。"]),
        ]),
        article(OV, &["Bosch", "Siemens", "Neff"], &["HBS534*", "HBG7764*", "HB578*", "HB676*", "B57CR22*", "B3ACE4H*"], &[], &["OV-SNS-TEMP"], vec![
            en("Oven much hotter than the set temperature",
                &["Food burns at normal settings",
                  "Oven thermometer reads 30 °C or more above the set temperature",
                  "Heating never switches off"],
                &["Temperature sensor (PT500) out of tolerance",
                  "Relay on the control module welded",
                  "Sensor wiring damaged by heat"],
                &["Put an oven thermometer in the middle, heat to 180 °C for 20 minutes and compare.",
                  "Isolate, disconnect the sensor and measure it: about 540 Ω at room temperature for a PT500, rising about 2 Ω per °C; replace it if out.",
                  "Check the sensor wiring and plug for heat damage.",
                  "If the heating stays on past the set temperature with a good sensor, replace the control module.",
                  "Re-test with the thermometer: within ±10 °C of the set temperature."],
                &["Isolate at the cooker control switch before pulling the oven out.",
                  "The oven is heavy: two people to slide it out of a tall housing."]),
            zh("烤箱实际温度比设定高很多",
                &["按平时设置烤东西会烤焦", "烤箱温度计比设定温度高30°C以上", "加热一直不停"],
                &["温度探头（PT500）阻值偏差", "控制板继电器触点粘连", "探头线被高温烤坏"],
                &["在烤箱中间放温度计，设180°C加热20分钟后对比读数。",
                  "断电，拔下探头插头测量：PT500常温约540Ω，每升高1°C增加约2Ω，偏差大就更换。",
                  "检查探头线和插头有无烤焦。",
                  "探头正常但到设定温度后仍一直加热，更换控制板。",
                  "用温度计复测，误差应在±10°C以内。"],
                &["拉出烤箱前先在专用开关处断电。", "烤箱很重，从高柜里拉出要两个人。"]),
        ]),
        article(RH, &["Fotile", "Robam", "Midea"], &["CXW-*"], &[], &["RH-VLV-CHECK", "RH-FLT-GREASE", "RH-DUCT-150"], vec![
            en("Cooker hood not extracting, smells stay in the kitchen",
                &["Steam and smells spread into the room even on high",
                  "Hardly any air at the duct outlet",
                  "Flap noise, or smells coming back from the shared flue"],
                &["Grease filters saturated",
                  "Non-return flap stuck closed with grease",
                  "Duct crushed, too long or too many bends; back-pressure in a shared flue in high-rise flats"],
                &["Remove and degrease the filters, or replace them if saturated or bent.",
                  "Take the duct off the hood outlet and check the non-return flap opens freely; clean or replace it.",
                  "Check the duct run: 150 mm diameter, as short as possible, no more than two bends and not crushed behind the wall units; replace damaged ducting.",
                  "Shared flue: check the flue's own check valve and that the duct is not pushed deep into the flue.",
                  "Check the fan speed on each setting; a slow motor with clean filters and a clear duct needs its capacitor or the motor checked."],
                &[EN_POWER, "Hood edges are sharp: wear gloves and work from a stable step."]),
            zh("油烟机吸力不足，厨房油烟很大",
                &["开到高档油烟还是往外跑", "排烟管出口几乎没有风", "止回阀拍打声，或公共烟道有异味倒灌"],
                &["油网油污饱和", "止回阀被油污粘住打不开", "烟管被压扁、过长或弯头太多；高层住宅公共烟道背压大"],
                &["拆下油网除油，油污饱和或变形的更换。",
                  "拆开油烟机出口处的烟管，检查止回阀开合是否灵活，清洗或更换。",
                  "检查烟管走向：直径150mm，尽量短，弯头不超过两个，吊柜后面不能被压扁，损坏的更换。",
                  "接公共烟道的：检查烟道口的防火止回阀，烟管不要插进烟道太深。",
                  "逐档检查风机转速；油网和烟管都通畅但转速慢，查电机电容或电机。"],
                &[ZH_POWER, "油烟机边缘锋利，戴手套，站在稳固的梯子上作业。"]),
        ]),
        article(RH, &[], &[], &[], &["RH-LED", "RH-PANEL"], vec![
            en("Cooker hood lights or buttons not working",
                &["Lights do not come on but the fan works",
                  "Buttons do not respond, or only sometimes",
                  "Display flickers after cooking"],
                &["LED lamp or its driver failed",
                  "Grease and steam inside the control panel",
                  "Power module fault"],
                &["Isolate at the spur and check the hood's supply is 220–240 V when restored.",
                  "Swap the LED lamp with a known good one; replace the lamp, and the driver where it is separate.",
                  "Open the control panel: grease or moisture on the board or switch membrane means replacing the panel.",
                  "Check and reseat the connectors between the panel and the power board.",
                  "Test every speed and the lights; advise cleaning the filters monthly and running the hood 5 minutes after cooking."],
                &[EN_POWER]),
            zh("油烟机照明灯不亮或按键没反应",
                &["风机正常但照明灯不亮", "按键不灵，时好时坏", "做完饭后显示屏闪烁"],
                &["LED灯或其驱动损坏", "油烟和水汽进入控制面板", "电源板故障"],
                &["在插座或开关处断电；恢复供电时确认油烟机电压为220–240V。",
                  "用好的LED灯替换测试，坏的更换（驱动单独的一并更换）。",
                  "打开控制面板，电路板或按键膜上有油污、水汽的，更换控制面板。",
                  "检查面板和电源板之间的插头，重新插紧。",
                  "试各档风速和照明；提醒客户每月清洗油网，做完饭后再开5分钟。"],
                &[ZH_POWER]),
        ]),
    ]
}

#[rustfmt::skip]
fn kitchens() -> Vec<ArticleContent> {
    use EquipmentCategory::Kitchen as KT;
    vec![
        article(KT, &[], &[], &[], &["KT-HINGE-110", "GEN-SCREW-KIT"], vec![
            en("Kitchen cabinet door hanging crooked: adjusting the hinges",
                &["Door sits lower on one side or rubs the door next to it",
                  "Gaps between doors uneven",
                  "Door does not close fully or springs back open"],
                &["Hinges out of adjustment after use",
                  "Hinge mounting plate screws pulled out of the chipboard",
                  "Broken hinge or soft-close damper"],
                &["Open the door and check every hinge screw; tighten loose ones.",
                  "Side: turn the front screw on the hinge arm to move the door left or right until the gaps are even (about 2–3 mm).",
                  "Depth: the rear screw (or cam) moves the door in or out so it closes flush with the cabinet.",
                  "Height: loosen the mounting plate screws (or turn its cam) and move the door up or down; set both hinges the same.",
                  "Screws pulled out: glue hardwood dowels into the holes or fit repair inserts, then re-drill and refit. Replace a broken hinge with the same cup size (35 mm) and opening angle.",
                  "Check the door closes softly and evenly from half open."],
                &["Support tall or heavy doors while adjusting; a second pair of hands helps."]),
            zh("橱柜门下垂、关不严：调整铰链",
                &["门一边低，或蹭到旁边的门", "门缝宽窄不一", "门关不到位或自己弹开"],
                &["铰链使用后跑位", "铰链底座螺丝从刨花板里松脱", "铰链或阻尼器损坏"],
                &["打开门，检查每个铰链螺丝，松的先拧紧。",
                  "左右：调铰链臂前面的螺丝，门左右移动，调到门缝均匀（约2–3mm）。",
                  "前后：调后面的螺丝（或偏心轮），让门关上后与柜体平齐。",
                  "上下：松开底座螺丝（或调底座偏心轮）上下移动门，两个铰链调一致。",
                  "螺丝孔松脱：孔里涂胶塞入木榫或装修补套，重新打孔固定；坏铰链按相同杯径（35mm）和开启角度更换。",
                  "从半开位置放手，检查门能平稳缓慢关上。"],
                &["调整高门或重门时要扶住，最好两人配合。"]),
        ]),
        article(KT, &["Oppein", "IKEA"], &["OP-K*", "METOD*"], &[], &["KT-RUNNER-500"], vec![
            en("Drawer will not close: broken or bent runner",
                &["Drawer drops at one side or will not close fully",
                  "Grinding or clicking as it slides",
                  "Soft-close not working"],
                &["Runner bent by overloading, or by someone stepping on the drawer",
                  "Runner fixing screws loose",
                  "Drawer front catches not engaged on the runners"],
                &["Empty the drawer, pull it fully out, press the release levers under the drawer (or the runner clips) and lift it off.",
                  "Check the runners on both sides: bent, missing balls or a damaged soft-close means replacing the pair (same length, usually 500 mm).",
                  "Fit the cabinet runners at the original holes and level with each other; put new screws in fresh positions if the old holes are loose.",
                  "Clip the drawer back on and set height and side with the adjusters under the front.",
                  "Check it runs smoothly and soft-closes with a normal load; explain the load limit to the customer."],
                &[]),
            zh("橱柜抽屉关不上：滑轨断裂或变形",
                &["抽屉一边下沉或关不到底", "推拉时有摩擦声或咔哒声", "阻尼缓冲失效"],
                &["超载或被踩踏导致滑轨变形", "滑轨固定螺丝松动", "抽屉卡扣没有扣在滑轨上"],
                &["清空抽屉，拉到底，按下抽屉底部两侧的释放卡扣，把抽屉取下。",
                  "检查两侧滑轨：变形、掉珠或阻尼损坏的，成对更换（长度一致，常见500mm）。",
                  "柜体滑轨按原孔位安装并左右水平；原孔松了的错开位置用新螺丝固定。",
                  "装回抽屉，用面板下方的调节器调整高低和左右。",
                  "正常装物试推拉，确认顺滑且能缓冲关闭；提醒客户注意承重。"],
                &[]),
        ]),
        article(KT, &[], &[], &[], &["KT-WORKTOP-JNT", "GEN-SILICONE-W"], vec![
            en("Worktop joint lifting or water damage under the sink",
                &["Worktop joint swollen or lifting near the sink",
                  "Base of the sink cabinet soft, swollen or mouldy",
                  "Water marks inside the sink cabinet"],
                &["Sealant failed at the sink or joint, so water soaks into the chipboard",
                  "Leaking waste trap, tap connector or appliance connection",
                  "Cut edges left unsealed at installation"],
                &["Run the taps and an appliance drain and check every connection under the sink with dry paper.",
                  "Fix the source first: tighten or reseal the trap, replace tap flexi hoses and appliance connections that leak.",
                  "Let the area dry; replace the cabinet base or the affected section of worktop if the chipboard has swollen.",
                  "Joint: remove old sealant, clean with solvent, fit a joint strip or reseal with sanitary silicone; seal every cut edge.",
                  "Reseal the sink rim with one continuous bead of silicone and leave 24 hours before use."],
                &["Turn off the water before disconnecting any pipe."]),
            zh("橱柜台面接缝开裂、水槽下方柜体受潮",
                &["水槽附近台面接缝鼓起、开裂", "水槽柜底板发软、膨胀或发霉", "水槽柜里有水渍"],
                &["水槽或接缝密封胶失效，水渗进刨花板", "下水存水弯、龙头软管或洗碗机接口漏水", "安装时切口没有封边"],
                &["打开龙头和洗碗机排水，用干纸巾逐个检查水槽下的接口。",
                  "先解决漏水：紧固或重新密封存水弯，漏水的龙头软管和电器接口更换。",
                  "等柜体干透；刨花板已膨胀的，更换柜体底板或那一段台面。",
                  "接缝：清除旧胶，用清洁剂擦净，装台面拼接条或重新打防霉密封胶，所有切口都要封好。",
                  "水槽四周重新打一道连续的密封胶，24小时后再使用。"],
                &["拆任何水管前先关水。"]),
        ]),
        article(KT, &["Howdens", "Magnet", "IKEA"], &["Greenwich Shaker", "Clerkenwell Gloss", "Integra Tatton", "Nordic Nature", "METOD*"], &[], &["KT-PLINTH-CLIP", "KT-LEG-ADJ"], vec![
            en("Plinth keeps falling off",
                &["Kick plinth falls off when knocked",
                  "Clips loose on the cabinet legs",
                  "Plinth does not meet the floor evenly"],
                &["Plinth clips broken or not fixed to the back of the plinth",
                  "Cabinet legs at different heights",
                  "Plinth swollen by water from mopping"],
                &["Remove the plinth and check every leg carries weight; adjust the legs so the cabinets are level and the plinth fits.",
                  "Replace broken clips and fix the clip brackets to the back of the plinth in line with each leg.",
                  "Replace a broken leg with an adjustable leg of the same height range.",
                  "Seal the bottom edge of a new or trimmed plinth; fit a plinth seal strip if the floor is mopped often.",
                  "Clip the plinth back on and check it stays on when pushed with a foot."],
                &[]),
            zh("橱柜踢脚板总是掉",
                &["踢脚板一碰就掉", "卡扣在柜脚上松动", "踢脚板和地面之间缝隙不均"],
                &["卡扣断了，或卡扣座没有固定在踢脚板背面", "柜脚高低不一", "拖地时踢脚板吸水膨胀"],
                &["拆下踢脚板，检查每个柜脚都着力；调节柜脚使柜体水平、踢脚板能装平。",
                  "更换断裂的卡扣，卡扣座固定在踢脚板背面，对准每个柜脚。",
                  "断裂的柜脚换成高度范围相同的调节脚。",
                  "新装或裁切过的踢脚板底边要封边；经常拖地的加装踢脚板密封条。",
                  "装回踢脚板，用脚推一推，确认不会掉。"],
                &[]),
        ]),
    ]
}

#[rustfmt::skip]
fn furniture() -> Vec<ArticleContent> {
    use EquipmentCategory::Furniture as FN;
    vec![
        article(FN, &["IKEA", "Quanyou"], &["PAX*", "QY-121301*"], &[], &["FN-TRACK-SLIDE"], vec![
            en("Wardrobe sliding door coming off the track",
                &["Door jumps out of the bottom track when pushed",
                  "Door hard to slide or scrapes",
                  "Gap at the top or bottom uneven"],
                &["Wheels out of adjustment after the wardrobe settled",
                  "Bottom track loose, bent or full of debris",
                  "Wardrobe not level"],
                &["Check the wardrobe is level and fixed to the wall; a leaning carcass throws the doors out.",
                  "Lift the door out and clean the bottom track; replace a bent or cracked track and screw it down at every hole.",
                  "Adjust the bottom wheels (screw at the bottom corners of the door) so the door hangs parallel to the side of the wardrobe.",
                  "Check the top guides sit well into the top track (about 5 mm); fit the anti-jump stops if supplied.",
                  "Slide each door several times: it must run without scraping and stay in the track."],
                &["Mirror and glass doors are heavy and fragile: two people to lift them out."]),
            zh("衣柜推拉门经常脱轨",
                &["一推门就从下轨道跳出来", "推拉很沉或有刮擦", "门上下缝隙不均"],
                &["衣柜沉降后滑轮跑位", "下轨道松动、变形或有杂物", "衣柜不水平"],
                &["检查衣柜是否水平并已固定在墙上，柜体倾斜会让门脱轨。",
                  "把门抬下来，清理下轨道；变形或开裂的轨道更换，每个孔位都要上螺丝。",
                  "调整门底角的滑轮螺丝，让门与柜体侧板平行。",
                  "检查上导轮卡进上轨道的深度（约5mm），有防跳块的装上。",
                  "每扇门来回推拉几次，确认不刮擦、不脱轨。"],
                &["镜面门和玻璃门又重又易碎，必须两人抬。"]),
        ]),
        article(FN, &["KUKA Home", "DFS"], &["KUKA 2138*", "Ella*"], &[], &["FN-RECL-PSU", "FN-RECL-MECH"], vec![
            en("Power recliner stuck: no movement from the buttons",
                &["Recliner stays open or closed when the button is pressed",
                  "Button light off, or one seat works and another does not",
                  "Motor clicks or hums but the footrest does not move"],
                &["No power from the transformer (plug, socket or the cable to the motor)",
                  "Faulty button (handset) or motor",
                  "Mechanism jammed by an object or a broken link"],
                &["Check the socket with another appliance and look for the light on the transformer.",
                  "Measure the transformer output at its DC plug: most recliner supplies give 29 V DC; no output means replace the transformer.",
                  "Check every connection under the seat: mains to transformer, transformer to motor, button to motor; push home any plug that is loose.",
                  "Swap the button with one from a working seat: if the seat then works, replace the button.",
                  "With the power off, check the mechanism for trapped objects or a bent link. A motor that hums with a free mechanism, or a damaged mechanism, means replacing the mechanism and motor.",
                  "Run the recliner fully open and closed three times."],
                &["Unplug before reaching under the sofa: the mechanism has pinch points.",
                  "Turning a sofa onto its back takes two people."]),
            zh("功能沙发电动躺位卡住不动",
                &["按按钮后沙发保持展开或收起不动", "按钮指示灯不亮，或一个座位好、一个座位不好", "电机咔哒或嗡嗡响，但脚踏不动"],
                &["变压器没有输出（插头、插座或到电机的线）", "按钮（手控器）或电机损坏", "机构被异物卡住或连杆断裂"],
                &["用其他电器试插座，看变压器指示灯亮不亮。",
                  "在直流插头处测变压器输出，多数功能沙发为29V直流；没有输出就更换变压器。",
                  "检查座位下所有插头：市电到变压器、变压器到电机、按钮到电机，松的插到底。",
                  "把按钮和正常座位的对换：换了就能动，说明按钮坏了，更换按钮。",
                  "断电后检查机构有无异物或连杆变形；机构活动自如而电机嗡嗡响，或机构损坏，更换电动机构。",
                  "完整展开、收起三次确认正常。"],
                &["手伸到沙发下面前先拔插头，机构有夹手位置。", "把沙发翻过来要两个人。"]),
        ]),
        article(FN, &["IKEA", "Quanyou"], &["PAX*", "QY-121301*"], &[], &["FN-HINGE-WARD", "GEN-SCREW-KIT"], vec![
            en("Wardrobe door hinge broken or door dropping",
                &["Door hangs down and catches the cabinet",
                  "Hinge arm cracked or come away from its plate",
                  "Door will not stay closed"],
                &["Hinge broken by overloading the door",
                  "Hinge cup pulled out of the door",
                  "Mounting plate screws loose in the side panel"],
                &["Support the door, release the hinges (press the clip on clip-on hinges) and lift the door off.",
                  "Replace broken hinges with the same type: 35 mm cup, same crank and opening angle.",
                  "Cup pulled out of the door: glue in a hardwood plug and re-bore the 35 mm cup hole, or fit a hinge repair plate.",
                  "Doors over 2 m need at least four hinges: add one if missing.",
                  "Rehang the door and adjust side, depth and height until the gaps are even."],
                &["Tall wardrobe doors are heavy and fall when the last hinge is released: two people."]),
            zh("衣柜门铰链坏了，门下垂",
                &["门往下掉，碰到柜体", "铰链臂断裂或从底座上脱开", "门关不住"],
                &["门上挂物过重，压坏铰链", "铰链杯从门板里被拉出", "底座螺丝在侧板里松脱"],
                &["扶住门，按下快装铰链的卡扣把铰链松开，把门取下。",
                  "按同型号更换坏铰链：35mm杯径，相同的直臂/曲臂和开启角度。",
                  "铰链杯被拉出：孔里涂胶塞入木塞后重新开35mm杯孔，或加装铰链修补板。",
                  "超过2米的高门至少要四个铰链，缺的补上。",
                  "装回门，调整左右、前后、上下，直到门缝均匀。"],
                &["高衣柜门很重，松开最后一个铰链时门会掉，必须两人操作。"]),
        ]),
        article(FN, &["IKEA"], &["MALM*", "PAX*", "HEMNES*"], &[], &["GEN-SCREW-KIT", "FN-CAM-LOCK-10"], vec![
            en("Chest of drawers or wardrobe unstable: tightening and wall fixing",
                &["Unit rocks or leans forward when drawers are opened",
                  "Joints loose, unit racks sideways",
                  "Creaks when touched"],
                &["Not fixed to the wall with the tip-over restraint",
                  "Cam lock fittings loose or stripped",
                  "Floor uneven (carpet gripper, skirting board)"],
                &["Empty the drawers. Check every cam lock is turned fully home (clockwise until firm); replace stripped cam fittings.",
                  "Check the unit is square and pack it at the front so it leans very slightly back to the wall.",
                  "Find the wall type (stud, brick, plasterboard) and use a fixing suited to it; the restraint in the box has no wall plugs.",
                  "Fix the tip-over restraint to the top of the unit and to the wall; use two on tall units.",
                  "Pull the top drawer fully out and press down lightly: the unit must not tilt forward."],
                &["Tipping chests and wardrobes can kill young children: always fit the wall restraint.",
                  "Check for cables and pipes with a detector before drilling."]),
            zh("五斗柜、衣柜晃动：紧固并固定到墙上",
                &["拉开抽屉时柜子前倾或摇晃", "连接处松动，柜体左右晃", "一碰就吱吱响"],
                &["没有用防倾倒配件固定在墙上", "偏心连接件松动或滑丝", "地面不平（地毯压条、踢脚线）"],
                &["清空抽屉，检查每个偏心件都拧到位（顺时针拧紧），滑丝的更换。",
                  "检查柜体方正，在前面垫平，让柜子略微向墙倾斜。",
                  "先判断墙体（轻钢龙骨、砖墙、石膏板），用对应的固定件；包装里的防倾倒配件不含膨胀管。",
                  "把防倾倒配件固定在柜顶和墙上，高柜装两个。",
                  "把最上层抽屉全部拉出，轻轻往下按，柜子不能前倾。"],
                &["柜子倾倒可能致幼儿死亡，务必安装防倾倒固定件。", "打孔前用探测仪确认墙内没有电线和水管。"]),
        ]),
    ]
}

#[rustfmt::skip]
fn smart_home() -> Vec<ArticleContent> {
    use EquipmentCategory::SmartHome as SH;
    vec![
        article(SH, &["Xiaomi", "Aqara", "Dessmann"], &["XMZNMS*", "D100", "A100 Pro", "Q50FMAX"], &[], &["SH-LOCK-FP"], vec![
            en("Smart lock not recognising fingerprints",
                &["Fingerprint rejected several times, then the lock asks for a password",
                  "Works for some family members but not others",
                  "Works in summer, fails in winter"],
                &["Sensor dirty, greasy or scratched",
                  "Dry, worn or cut fingertips (older users, winter)",
                  "Fingerprint module or its ribbon cable faulty"],
                &["Clean the sensor with a dry microfibre cloth; no solvents.",
                  "Re-enrol the user's fingers from the app or the admin menu, placing the finger at different angles; enrol two fingers per person.",
                  "For dry fingers, suggest hand cream or breathing on the fingertip, and set up a password or NFC card as a backup.",
                  "Update the lock firmware from the app.",
                  "If no finger is recognised at all, remove the inside panel and reseat the fingerprint module's ribbon cable; replace the module if it still fails."],
                &[EN_KEY]),
            zh("智能门锁指纹识别不了",
                &["指纹连续几次失败后要求输入密码", "家里有人能开，有人开不了", "夏天正常，冬天经常识别失败"],
                &["指纹头有污渍、油渍或划伤", "手指干燥、磨损或有伤口（老人、冬季常见）", "指纹模块或排线故障"],
                &["用干的超细纤维布擦指纹头，不要用溶剂。",
                  "在App或管理菜单里重新录入指纹，录入时变换按压角度；每人录两个手指。",
                  "手指干燥的建议涂点护手霜或哈口气再按，同时设置密码或NFC卡备用。",
                  "在App里升级门锁固件。",
                  "所有指纹都识别不了的，拆开后面板重新插好指纹模块排线，仍不行就更换指纹模块。"],
                &[ZH_KEY]),
        ]),
        article(SH, &["Xiaomi", "Aqara", "Dessmann", "Yale"], &["XMZNMS*", "D100", "A100 Pro", "Q50FMAX", "V7", "Conexis L2", "Linus L2"], &[], &["SH-LOCK-BATT", "SH-LOCK-MORTISE"], vec![
            en("Smart lock low battery warnings, battery drains within a week",
                &["Low battery alarm soon after new batteries",
                  "Motor sounds strained when locking",
                  "Lock dead and will not open from outside"],
                &["Bolt rubbing on the strike plate, so the motor works hard",
                  "Wrong battery type, or a worn lithium pack",
                  "Always-on Wi-Fi or frequent wake-ups set in the app"],
                &["Dead lock: open it with the mechanical key, or power it from a power bank through the emergency USB port on the outside, then use a fingerprint or password.",
                  "Measure the batteries: 4 × AA should read about 6 V, a lithium pack about 7.4–8.4 V when charged. Fit alkaline AA cells (not 1.2 V rechargeables) or a new pack.",
                  "Close the door and throw the bolt by hand: it must slide in without touching the strike plate. File or move the strike plate until it runs freely.",
                  "Check the mortise bolt throws fully and smoothly; replace the mortise if it sticks.",
                  "In the app, turn off always-on features the customer does not need and check the battery level again after a week."],
                &[EN_KEY]),
            zh("智能门锁提示电量低，电池一周就没电",
                &["刚换的电池很快就报低电量", "上锁时电机声音吃力", "门锁没电，外面打不开"],
                &["锁舌和锁扣板摩擦，电机负载大", "电池型号不对或锂电池老化", "App里开了常在线Wi-Fi或频繁唤醒"],
                &["已经没电的：用机械钥匙开门，或用充电宝接外面板的应急USB口临时供电，再用指纹或密码开门。",
                  "测电池电压：4节5号电池约6V，锂电池充满约7.4–8.4V。换用碱性5号电池（不要用1.2V充电电池）或新的锂电池。",
                  "关门后手动伸缩锁舌，应不碰锁扣板顺畅伸出；有摩擦就修锉或调整锁扣板位置。",
                  "检查锁体锁舌伸缩到位、顺畅，卡滞的更换锁体。",
                  "在App里关闭客户用不到的常在线功能，一周后再看电量。"],
                &[ZH_KEY]),
        ]),
        article(SH, &["Aqara", "Xiaomi"], &["Hub M2", "D100", "A100 Pro", "XMZNMS*"], &[], &["SH-HUB-ZB", "SH-SNS-DOOR"], vec![
            en("Lock or sensors going offline in the app",
                &["Lock shows offline in the app several times a day",
                  "Hub has lost all the door and window sensors",
                  "Sensors come back after the hub restarts"],
                &["Hub too far from the lock, or walls and metal doors in between",
                  "Zigbee channel clashing with the home Wi-Fi",
                  "Router changed (new password, or 5 GHz only) so the hub dropped off the network"],
                &["Check the hub is online: the router must offer 2.4 GHz with the password used at setup; re-add the hub to the Wi-Fi if the router was changed.",
                  "Check the distance: keep the hub within about 10 m and two walls of the lock; a metal door needs a repeater near it.",
                  "Add a mains-powered Zigbee device (a smart plug) between hub and lock to act as a router.",
                  "If many sensors drop together, move the Wi-Fi to channel 1 or 6 so it overlaps the Zigbee channel less, then re-pair the sensors.",
                  "Replace the coin cells in sensors that stay offline and re-pair them; replace a sensor that still will not join."],
                &[]),
            zh("智能门锁在App里经常离线，网关连不上传感器",
                &["门锁在App里一天离线好几次", "网关和所有门窗传感器断开连接", "重启网关后传感器又能用了"],
                &["网关离门锁太远，或中间隔着墙、金属门", "Zigbee信道和家里Wi-Fi冲突", "换了路由器（改了密码或只开5GHz），网关掉线"],
                &["先确认网关在线：路由器要有2.4GHz频段、密码与配网时一致；换过路由器的重新给网关配网。",
                  "检查距离：网关离门锁约10米以内、中间不超过两堵墙；金属门附近需加中继。",
                  "在网关和门锁之间加一个插电的Zigbee设备（如智能插座）作为中继。",
                  "多个传感器同时掉线的，把Wi-Fi改到1或6信道，减少与Zigbee信道的重叠，再重新配对传感器。",
                  "一直离线的传感器更换纽扣电池后重新配对，仍加不上的更换传感器。"],
                &[]),
        ]),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::kb::{
        JobSignals, MatchReason, fault_code_key, fault_codes_in, model_matches, suggest,
    };
    use crate::seed::content::{brand_models, part_prefix, parts_catalogue, problem_texts};

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// The demo models of the article's brands (every brand of the category when it names none).
    fn demo_models(a: &ArticleContent) -> Vec<&'static str> {
        brand_models(a.category)
            .iter()
            .filter(|(brand, _)| a.brands.is_empty() || a.brands.iter().any(|b| b == brand))
            .flat_map(|(_, models)| models.iter().copied())
            .collect()
    }

    #[test]
    fn articles_are_normalised_and_well_formed() {
        let articles = demo_articles();
        assert!((36..=50).contains(&articles.len()), "{} articles", articles.len());
        for a in &articles {
            let title = &a.texts[0].title;
            assert_eq!(&a.clone().normalised().unwrap(), a, "{title}");
            assert!(a.photos.is_empty(), "{title}");
            assert!((1..=2).contains(&a.texts.len()), "{title}");
            let known: Vec<&str> = brand_models(a.category).iter().map(|(b, _)| *b).collect();
            for brand in &a.brands {
                assert!(known.contains(&brand.as_str()), "{title}: brand {brand}");
            }
            for code in &a.fault_codes {
                assert_eq!(
                    fault_codes_in(code),
                    std::slice::from_ref(code),
                    "{title}: code {code}"
                );
            }
            for t in &a.texts {
                assert!((2..=4).contains(&t.symptoms.len()), "{}: symptoms", t.title);
                assert!((1..=3).contains(&t.causes.len()), "{}: causes", t.title);
                assert!((3..=7).contains(&t.steps.len()), "{}: steps", t.title);
                assert_eq!(has_han(&t.title), t.language == Language::Chinese, "{}", t.title);
                for line in t.symptoms.iter().chain(&t.causes).chain(&t.steps).chain(&t.warnings) {
                    assert_eq!(has_han(line), t.language == Language::Chinese, "{line}");
                }
            }
        }
    }

    #[test]
    fn every_category_is_covered_weighted_to_the_main_appliances() {
        let mut per_category: BTreeMap<EquipmentCategory, usize> = BTreeMap::new();
        for a in demo_articles() {
            *per_category.entry(a.category).or_default() += 1;
        }
        use EquipmentCategory as C;
        for &c in C::ALL {
            let n = per_category.get(&c).copied().unwrap_or(0);
            let main = [
                C::AirConditioner,
                C::WaterHeater,
                C::WashingMachine,
                C::Refrigerator,
                C::Dishwasher,
            ];
            let least = if main.contains(&c) { 5 } else { 2 };
            assert!(n >= least, "{c}: {n} articles");
        }
    }

    #[test]
    fn most_articles_are_bilingual_about_a_fifth_in_one_language() {
        let articles = demo_articles();
        let single = articles.iter().filter(|a| a.texts.len() == 1).count();
        let (english, chinese) = articles
            .iter()
            .filter(|a| a.texts.len() == 1)
            .partition::<Vec<_>, _>(|a| a.texts[0].language == Language::English);
        assert!(!english.is_empty() && !chinese.is_empty());
        assert!(
            single * 8 >= articles.len() && single * 4 <= articles.len(),
            "{single} of {} in one language",
            articles.len()
        );
        for a in articles.iter().filter(|a| a.texts.len() == 2) {
            assert_ne!(a.texts[0].language, a.texts[1].language);
        }
    }

    #[test]
    fn every_fault_code_of_the_demo_problems_is_explained_in_its_category() {
        let articles = demo_articles();
        let mut checked = 0;
        for &category in EquipmentCategory::ALL {
            let (english, chinese) = problem_texts(category);
            for problem in english.iter().chain(chinese) {
                for code in fault_codes_in(problem) {
                    checked += 1;
                    let explained = articles.iter().any(|a| {
                        a.category == category
                            && a.fault_codes
                                .iter()
                                .any(|c| fault_code_key(c) == fault_code_key(&code))
                    });
                    assert!(explained, "{category}: {code} in {problem:?} has no article");
                }
            }
        }
        assert!(checked >= 6, "only {checked} codes in the demo problems");
    }

    #[test]
    fn parts_are_in_the_catalogue_for_the_category() {
        let catalogue: Vec<String> = parts_catalogue().into_iter().map(|p| p.part_no).collect();
        for a in demo_articles() {
            assert!(!a.parts.is_empty(), "{}", a.texts[0].title);
            let prefix = format!("{}-", part_prefix(a.category));
            for part in &a.parts {
                assert!(
                    catalogue.contains(part),
                    "{}: {part} not in the catalogue",
                    a.texts[0].title
                );
                assert!(
                    part.starts_with(&prefix) || part.starts_with("GEN-"),
                    "{}: {part} is not a {} part",
                    a.texts[0].title,
                    a.category
                );
            }
        }
    }

    #[test]
    fn model_patterns_name_demo_models() {
        let mut matching = 0;
        for a in demo_articles() {
            let models = demo_models(&a);
            for pattern in &a.models {
                assert!(
                    models.iter().any(|m| model_matches(pattern, m)),
                    "{}: {pattern} matches no demo model of its brands",
                    a.texts[0].title
                );
            }
            if !a.models.is_empty() {
                matching += 1;
            }
        }
        assert!(matching >= 10, "only {matching} articles name a demo model");
    }

    fn washer_job(brand: &str, model: &str, text: &str) -> JobSignals {
        JobSignals {
            category: Some(EquipmentCategory::WashingMachine),
            brand: Some(brand.into()),
            model: Some(model.into()),
            text: text.into(),
        }
    }

    fn first_suggestion(job: &JobSignals) -> (usize, Vec<MatchReason>) {
        let articles = demo_articles();
        let found = suggest(articles.iter().enumerate(), job, 5);
        let (index, relevance) = found.into_iter().next().expect("an article for the job");
        (index, relevance.reasons)
    }

    #[test]
    fn a_washing_machine_showing_e21_gets_the_drain_article_first() {
        let e21 = MatchReason::FaultCode { code: "E21".into() };
        for text in ["Washing machine won't spin, shows E21", "洗衣机不脱水，显示E21故障码"]
        {
            for (brand, model) in [("Haier", "EG100MATE2S"), ("Little Swan", "TG100V88WMUIADY5")] {
                let (index, reasons) = first_suggestion(&washer_job(brand, model, text));
                assert!(reasons.contains(&e21), "{brand} {text}: {reasons:?}");
                assert!(demo_articles()[index].parts.contains(&"WM-PUMP-DRN-01".to_string()));
            }
        }
        // The same code on a Bosch is a motor fault, and gets the Bosch article.
        let (index, reasons) = first_suggestion(&washer_job(
            "Bosch",
            "WAN28281GB",
            "Washing machine won't spin, shows E21",
        ));
        assert!(reasons.contains(&e21), "{reasons:?}");
        assert_eq!(demo_articles()[index].brands, ["Bosch", "Siemens"]);
    }
}
