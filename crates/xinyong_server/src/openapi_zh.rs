//! Chinese for the English the OpenAPI document would otherwise show.
//!
//! The document is generated from Rust types and doc comments, which are
//! written in English for the people who maintain them; the integrators who
//! read `/api/docs` read Chinese (issue 15, item 6: one language, Chinese,
//! with English operation ids). [`translate`] replaces every `description`
//! and `summary` found here; a test fails on any description left in English
//! and on any entry here that no longer matches one (so a changed doc comment
//! cannot silently fall back to English).

/// (English as generated, Chinese as served).
pub(crate) const CHINESE: &[(&str, &str)] = &[
    (
        "A record as accepted, with every field (the department's own data).",
        "一条已接收的记录，含全部字段（本部门自己的数据）。",
    ),
    ("Every field as normalised, by field code.", "规范化后的全部字段，按字段代码。"),
    ("`market` or `industry`.", "`market`（市场）或 `industry`（行业）。"),
    ("`POST /api/v1/checks/batch` body.", "`POST /api/v1/checks/batch` 的请求体。"),
    ("`POST /api/v1/records/batches` body.", "`POST /api/v1/records/batches` 的请求体。"),
    ("Validate and report, write nothing.", "试运行：只校验并返回结果，不写入。"),
    (
        "Catalog item code (`XK`, `CF`, …); inferred from the keys when omitted.",
        "目录事项代码（`XK`、`CF` 等）；不填时按键名推断。",
    ),
    (
        "Codes issued by other authorities: a wrong check character is only a warning.",
        "其他机关颁发的代码：校验位错误只作为警告。",
    ),
    ("The result of a batch.", "一个批次的处理结果。"),
    ("This exact batch had been received before; nothing was written.", "完全相同的批次此前已接收，未写入任何内容。"),
    ("Log index of the batch's event, when something was written.", "批次事件的日志序号（有写入时）。"),
    ("The item was inferred from the keys.", "事项是根据键名推断的。"),
    (
        "`batch.reports` holds the first 1,000 row reports; how many were left\nout (present only when some were; read them with\n`GET …/batches/{id}?reports_offset=1000` or the error report).",
        "`batch.reports` 只含前 1,000 条行报告；此处为未列出的条数（仅在有未列出时出现；用\n`GET …/batches/{id}?reports_offset=1000` 或错误报告读取）。",
    ),
    (
        "`rows` holds the first 1,000 row results; how many were left out\n(present only when some were).",
        "`rows` 只含前 1,000 行结果；此处为未列出的条数（仅在有未列出时出现）。",
    ),
    ("Keys that match no field of the item (reported, not stored).", "与事项任何字段都不匹配的键（报告但不保存）。"),
    ("One subject of a batch that could not be checked.", "批量核查中无法核查的一个主体。"),
    ("A batch as received.", "接收时的批次。"),
    ("`api`, `upload` or `cli`.", "`api`、`upload` 或 `cli`。"),
    ("A stored batch, its row reports 1,000 at a time.", "已保存的批次，行报告每次 1,000 条。"),
    (
        "`?reports_offset=` of the next page of `batch.reports` (present only\nwhen there is one).",
        "`batch.reports` 下一页的 `?reports_offset=`（仅在有下一页时出现）。",
    ),
    (
        "Scenario code of the measures catalog (`bidding`, `procurement`, …).",
        "措施目录中的场景代码（`bidding`、`procurement` 等）。",
    ),
    (
        "USCC of the organisation concerned; natural persons are not reported.",
        "所涉组织的统一社会信用代码；自然人不报送。",
    ),
    ("At most 10,000.", "最多 10,000 个。"),
    ("`POST /api/v1/checks` body.", "`POST /api/v1/checks` 的请求体。"),
    ("The answer to one check.", "一次核查的结果。"),
    ("`legal_person` or `natural_person`.", "`legal_person`（法人）或 `natural_person`（自然人）。"),
    (
        "Stable machine code, e.g. `rate_limited`, `subject_not_found`.",
        "稳定的机器可读代码，例如 `rate_limited`、`subject_not_found`。",
    ),
    ("Further details (e.g. per-row problems), when any.", "进一步的细节（例如逐行问题），有时才出现。"),
    ("Chinese message for people.", "给人看的中文说明。"),
    ("The error envelope of every endpoint.", "所有接口统一的错误格式。"),
    ("`national`, `tax` or `samr_risk`.", "`national`、`tax` 或 `samr_risk`。"),
    ("One pushed item.", "一条推送。"),
    (
        "Log index of the decision or exit; pass the last one as `after`.",
        "列入决定或移出的日志序号；把最后一条作为 `after` 传回。",
    ),
    (
        "`listed` (apply the measures) or `lifted` (stop applying them);\n`approval_revoked`: the approval made on a commitment found breached\nor false is revoked (`listing_id` is then the commitment id,\n`list_code` `commitment`, the measure `revoke_approval`; acknowledge\nand report it like a pushed measure).",
        "`listed`（开始实施措施）或 `lifted`（停止实施）；`approval_revoked`：以承诺取得、\n经核查违诺或虚假承诺的审批被撤销（此时 `listing_id` 为承诺编号，`list_code` 为\n`commitment`，措施为 `revoke_approval`；像推送的措施一样签收并反馈）。",
    ),
    (
        "Listed: last day in force (`null` = until exit). Lifted: the day it ended.",
        "列入：有效期最后一天（`null` 表示直至移出）。移出：结束日期。",
    ),
    ("Measure code (`CJ-ZTB`, …).", "措施代码（`CJ-ZTB` 等）。"),
    ("A full page came back: there may be more.", "返回了整页：可能还有更多。"),
    ("Cursor of the last item (or `after` when there was none).", "最后一条的游标（没有条目时为传入的 `after`）。"),
    ("The USCC; for natural persons the masked ID number.", "统一社会信用代码；自然人为掩码后的身份证号码。"),
    ("The department's own case reference.", "本部门的办件编号。"),
    ("A credit-check receipt of this department the action relied on.", "本部门此次操作所依据的信用核查回执。"),
    ("The list type filtered on, if any.", "筛选的名单类型（如有）。"),
    ("Matching entries in all pages.", "所有页中匹配的条数。"),
    (
        "`false`: the same was reported before; nothing new was written.",
        "`false`：此前已报送过相同内容，未写入新内容。",
    ),
    (
        "`serious`, `key_attention`, `red` (or `unknown`).",
        "`serious`（严重失信）、`key_attention`（重点关注）、`red`（红名单），或 `unknown`。",
    ),
    ("The subject's name for organisations; natural persons are not named.", "组织的名称；自然人不显示姓名。"),
    ("A pledge as the portal, the API and `/my` show it.", "门户、接口和 `/my` 所显示的一条承诺。"),
    (
        "The association that published the scheme, for a self-discipline pledge.",
        "发布自律公约的行业协会（行业自律承诺时）。",
    ),
    ("YYYY-MM-DD.", "日期（`YYYY-MM-DD`）。"),
    ("SHA-256 of `title + \"\\n\" + text`, hex.", "`title + \"\\n\" + text` 的 SHA-256（十六进制）。"),
    ("Matching pledges in all pages.", "所有页中匹配的承诺条数。"),
    ("One public field of a record.", "记录的一个公开字段。"),
    ("Field code, e.g. `CF_SY`.", "字段代码，例如 `CF_SY`。"),
    ("The day the grade was given (China Standard Time).", "评价日期（北京时间）。"),
    ("A record inside its publicity window.", "一条处于公示期内的记录。"),
    ("Code of the department that sent it.", "报送部门的代码。"),
    ("Catalog item code (`XK`, `CF`, …).", "目录事项代码（`XK`、`CF` 等）。"),
    ("Log index of the event that wrote this version of the record.", "写入该版本记录的事件的日志序号。"),
    ("Shown since (`YYYY-MM-DD`).", "公示起始日（`YYYY-MM-DD`）。"),
    (
        "Shown until, exclusive (`YYYY-MM-DD`); null = no end date.",
        "公示截止日（不含当日，`YYYY-MM-DD`）；null 表示无截止日。",
    ),
    ("Page showing the entry, its inclusion proof and what it proves.", "显示该条目、其包含证明及所证明内容的页面。"),
    ("`YYYY-MM-DD`, or null.", "`YYYY-MM-DD`，或 null。"),
    ("The reviewing department's name.", "审核部门名称。"),
    ("`YYYY-MM-DD`, or null when it does not expire.", "`YYYY-MM-DD`；长期有效时为 null。"),
    (
        "A published list entry: a legal person on a published list type, decided\nand in force today. Natural persons never appear.",
        "一条公开的名单信息：列入已公开名单类型、已作出决定且今天有效的法人。自然人从不出现。",
    ),
    ("Code of the deciding department.", "认定部门的代码。"),
    (
        "List type code (`rules/lists.toml`), e.g. `samr-serious`.",
        "名单类型代码（`rules/lists.toml`），例如 `samr-serious`。",
    ),
    ("`serious`, `key_attention` or `red`.", "`serious`（严重失信）、`key_attention`（重点关注）或 `red`（红名单）。"),
    ("The subject's public page.", "主体的公开信用信息页面。"),
    (
        "Where one measure stands at this department (times in RFC 3339, UTC).",
        "该措施在本部门的进展（时间为 RFC 3339，UTC）。",
    ),
    ("Everything an outside verifier needs for one receipt.", "外部验证一张回执所需的全部内容。"),
    ("USCC or ID number.", "统一社会信用代码或身份证号码。"),
    (
        "The legal representative (or an individual business's operator): the\nname masked, never an ID number.",
        "法定代表人（或个体工商户经营者）：姓名已掩码，从不包含身份证号码。",
    ),
    ("`legal_representative` or `principal`.", "`legal_representative`（法定代表人）或 `principal`（主要负责人）。"),
    ("A problem with one field of one row.", "一行中一个字段的问题。"),
    (
        "A rejected row or one accepted with warnings, as stored with the batch.",
        "被拒绝或带警告接收的一行，随批次保存。",
    ),
    ("`rejected` or `accepted_with_warnings`.", "`rejected` 或 `accepted_with_warnings`。"),
    ("What happened to one row.", "一行的处理结果。"),
    ("Absent for rejected rows.", "被拒绝的行没有。"),
    ("What the search says about the query besides its hits.", "除命中结果之外，对查询词的说明。"),
    (
        "`query_too_short`, `natural_person_not_searchable`,\n`uscc_check_character` or `uscc_not_found`.",
        "`query_too_short`、`natural_person_not_searchable`、`uscc_check_character` 或 `uscc_not_found`。",
    ),
    ("One subject found by the search.", "搜索到的一个主体。"),
    (
        "Division code of the registering authority (USCC positions 3–8).",
        "登记管理机关行政区划代码（统一社会信用代码第 3–8 位）。",
    ),
    (
        "`code`, `exact`, `prefix`, `contains` or `fuzzy`, best first.",
        "`code`、`exact`、`prefix`、`contains` 或 `fuzzy`，由好到差。",
    ),
    ("`active`, `revoked` or `cancelled`.", "`active`（存续）、`revoked`（吊销）或 `cancelled`（注销）。"),
    ("Subject type decoded from the USCC (positions 1 and 2).", "由统一社会信用代码第 1、2 位得出的主体类型。"),
    ("A legal person's public credit information.", "一个法人的公开信用信息。"),
    ("Publicity windows were judged on this day (China Standard Time).", "按该日（北京时间）判断的公示期。"),
    ("The grade with its model and date.", "等级及其评价模型和日期。"),
    (
        "Grades from other schemes the city publishes (`[evaluation]\npublic_schemes`; none by default).",
        "本市公开的其他评价体系的等级（`[evaluation] public_schemes`；默认不公开）。",
    ),
    (
        "The local comprehensive evaluation's grade (A+ … D-); null when the\nsubject is not graded or the city does not publish grades.",
        "本地公共信用综合评价等级（A+ … D-）；主体未评价或本市不公开等级时为 null。",
    ),
    ("Published list entries (empty until lists are published).", "公开的名单信息（名单公开前为空）。"),
    ("Log index of the event that last wrote the basic facts.", "最后写入基本信息的事件的日志序号。"),
    ("One change of a watched organisation.", "所关注组织的一项变化。"),
    (
        "`grade_changed`, `listed`, `list_exited` or `publicity_ended`.",
        "`grade_changed`、`listed`、`list_exited` 或 `publicity_ended`。",
    ),
    (
        "Log index of the event that made the change; read on with `after` = the last one.",
        "发生该变化的事件的日志序号；以最后一条作为 `after` 继续读取。",
    ),
    ("What changed, in Chinese.", "变化内容（中文）。"),
    ("The grade, the list code or the record id.", "等级、名单代码或记录编号。"),
    (
        "Signing secret (64 hex characters), shown only here; the signature\nis the departments' (`X-Xinyong-Signature`).",
        "签名密钥（64 位十六进制），只在此显示一次；签名方式与部门回调相同（`X-Xinyong-Signature`）。",
    ),
    ("Position in the list, from 1.", "在名单中的位置，从 1 开始。"),
    ("`http://` or `https://` URL receiving POSTs.", "接收 POST 请求的 `http://` 或 `https://` 地址。"),
    (
        "Signing secret (64 hex characters), shown only here. Each POST carries\n`X-Xinyong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>`\nwith `X-Xinyong-Timestamp` (unix seconds) and `X-Xinyong-Delivery`.",
        "签名密钥（64 位十六进制），只在此显示一次。每个 POST 带有\n`X-Xinyong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>`，\n以及 `X-Xinyong-Timestamp`（Unix 秒）和 `X-Xinyong-Delivery`。",
    ),
    ("Published list entries of legal persons, newest listing first.", "法人的公开名单信息，按列入时间由新到旧。"),
    ("Searches legal persons by name fragment or USCC.", "按名称片段或统一社会信用代码搜索法人。"),
    ("A legal person's public credit information by USCC.", "按统一社会信用代码查询法人的公开信用信息。"),
    (
        "Receives a batch of records. `201` when something was written; `200` for\na dry run, a batch received before, or a repeated `Idempotency-Key`.",
        "接收一批记录。有写入时返回 `201`；试运行、此前已接收的批次或重复的 `Idempotency-Key` 返回 `200`。",
    ),
    (
        "与 subjects 一一对应：CheckResponseDoc，或 BatchItemErrorDoc（该主体的错误）。",
        "与 `subjects` 一一对应：核查结果（`CheckResponseDoc`），或该主体的错误（`BatchItemErrorDoc`）。",
    ),
    (
        "Rows keyed by field code (`CF_WSH`) or the template's Chinese header\n(`行政处罚决定书文号`); values are strings, numbers, booleans or null.",
        "各行以字段代码（`CF_WSH`）或模板的中文表头（`行政处罚决定书文号`）为键；值为字符串、数字、布尔值或 null。",
    ),
    ("行政审批事项编码（场景 approval）。", "行政审批事项编码（场景 `approval`）。"),
    (
        "场景代码：bidding、procurement、fiscal_funds、tax_incentive、honours、financing、\nmarket_access、approval、supervision、consumption、appointment。",
        "场景代码：`bidding`、`procurement`、`fiscal_funds`、`tax_incentive`、`honours`、`financing`、`market_access`、`approval`、`supervision`、`consumption`、`appointment`。",
    ),
    (
        "A grade another scheme gave (全国公共信用综合评价, 纳税信用等级, 企业信用风险分类).",
        "其他评价体系给出的等级（全国公共信用综合评价、纳税信用等级、企业信用风险分类）。",
    ),
    ("How the measure was applied, e.g. 拒绝其参与投标.", "措施的实施情况，例如“拒绝其参与投标”。"),
    ("Template header, e.g. 违法事实.", "模板表头，例如“违法事实”。"),
    ("Value as shown on the portal (names masked, money in 元).", "门户上显示的值（姓名已掩码，金额以元计）。"),
    ("The public credit grade (公共信用综合评价).", "公共信用综合评价等级。"),
    (
        "The subject objected to this record and the objection is being\nhandled (异议处理中); always false in the 双公示 lists.",
        "主体对该记录提出了异议且正在处理（异议处理中）；双公示列表中恒为 false。",
    ),
    (
        "An accepted voluntary registration (自主申报 · 已审核): what the company\ndeclared and who reviewed it; never its files or accounts.",
        "一条已审核的自主申报（自主申报 · 已审核）：企业申报的内容和审核部门；从不包含其附件或账号。",
    ),
    ("Always `自主申报 · 已审核`.", "恒为 `自主申报 · 已审核`。"),
    ("A 双公示 row: the record and the organisation it is about.", "双公示中的一行：记录及其所涉组织。"),
    (
        "有效期至 (`YYYY-MM-DD`, inclusive); null = until an exit decision.",
        "有效期至（`YYYY-MM-DD`，含当日）；null 表示直至作出移出决定。",
    ),
    ("Published, in-force list memberships (名单信息).", "已公开且有效的名单信息。"),
    (
        "Voluntary registrations (自愿注册) a department accepted, still valid\ntoday, marked self-declared and reviewed; empty for a past day\n(`?as_of=`).",
        "部门已审核接受、今天仍有效的自主申报信息，标明为自主申报、已审核；查询过去某日（`?as_of=`）时为空。",
    ),
    ("Timeliness of the caller's department (十五.1).", "调用方所在部门的报送时效（十五.1）。"),
    (
        "部门 API 令牌（xinyong tokens issue）；也接受部门用户的工作台会话 Cookie",
        "部门 API 令牌（`xinyong tokens issue` 签发）；也接受部门用户的工作台会话 Cookie",
    ),
    (
        "双公示 · 行政许可: licences in their publicity window, newest decision first.",
        "双公示 · 行政许可：公示期内的行政许可，按决定日期由新到旧。",
    ),
    (
        "双公示 · 行政处罚: penalties in their publicity window, newest decision first.",
        "双公示 · 行政处罚：公示期内的行政处罚，按决定日期由新到旧。",
    ),
    (
        "Public pledges in force (信用承诺公示), newest first: companies' voluntary\npledges and industry associations' self-discipline pledges.",
        "有效的公开信用承诺（信用承诺公示），由新到旧：企业的主动承诺和行业协会的自律承诺。",
    ),
    ("One attachment: its digest and where to download it.", "一个附件：其摘要和下载地址。"),
    ("Hex SHA-256 of the file.", "文件的 SHA-256（十六进制）。"),
    ("Bytes.", "字节数。"),
    ("The body as published (plain text).", "发布的正文（纯文本）。"),
    ("The body's paragraphs (split on blank lines).", "正文的段落（按空行分段）。"),
    ("A notice in a list.", "列表中的一条公告。"),
    ("How many attachments it has.", "附件个数。"),
    ("The portal's page of the notice.", "门户上该公告的页面。"),
    ("The kind asked for; empty for every kind.", "所查询的类别；为空表示全部类别。"),
    ("Published notices of the kind in all pages.", "所有页中该类别已发布的公告条数。"),
    (
        "Published notices and policy documents (通知公告, 政策法规), newest first.",
        "已发布的通知公告和政策法规，由新到旧。",
    ),
    ("One published notice with its body and attachments.", "一条已发布的公告，含正文和附件。"),
];
