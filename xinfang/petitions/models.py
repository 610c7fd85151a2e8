from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.fieldcrypt import EncryptedCharField
from xinfang.petitions import workflow


class Unit(models.Model):
    """单位: an organisation in the tree (county committee/government, bureau, departments, townships,
    and the higher levels that assign matters down)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("州（市）级")
        COUNTY_GOV = "county_gov", _("县委县政府")
        BUREAU = "bureau", _("县信访局")
        RECEPTION = "reception", _("群众接待中心")
        DEPARTMENT = "department", _("县直部门")
        TOWNSHIP = "township", _("乡镇")
        LEGAL = "legal", _("政法部门")
        DISCIPLINE = "discipline", _("纪检监察机关")

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    short_name = models.CharField(_("文号简称"), max_length=20, blank=True)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Code(models.Model):
    """A row of a versioned code table (信访目的, 内容分类 …), loaded from data files."""

    class Table(models.TextChoices):
        PURPOSE = "purpose", _("信访目的")
        CONTENT = "content", _("内容分类")

    table = models.CharField(_("代码表"), max_length=20, choices=Table.choices)
    version = models.CharField(_("版本"), max_length=20)
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级代码"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    # For purposes: which of the 条例's types it belongs to (suggestion / accusation / claim / consult).
    category = models.CharField(_("条例类型"), max_length=20, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("现行"), default=True)

    class Meta:
        verbose_name = _("代码")
        verbose_name_plural = _("代码表")
        ordering = ["table", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "version", "code"], name="code_unique_per_version"),
        ]

    def __str__(self):
        return self.name


class Petitioner(models.Model):
    """信访人: a person or an organisation."""

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ORGANISATION = "organisation", _("法人或其他组织")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        OTHER = "other", _("其他证件")
        NONE = "none", _("未提供")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("姓名（名称）"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.NONE)
    # Encrypted at rest (core/fieldcrypt.py, issue 14): looked up by the hashes below, never by content.
    id_number = EncryptedCharField(_("证件号码"), max_length=40, blank=True)
    mobile = EncryptedCharField(_("手机号码"), max_length=11, blank=True)
    landline = EncryptedCharField(_("固定电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Keyed hashes (HMAC-SHA256) of the normalised ID number and mobile, for exact lookup without the plain
    # value (search, similar matters): petitions/pii.py. Filled on every save; a queryset update() passes them.
    id_number_hash = models.CharField(_("证件号码（摘要）"), max_length=64, blank=True, db_index=True)
    mobile_hash = models.CharField(_("手机号码（摘要）"), max_length=64, blank=True, db_index=True)
    # 同人 (issue 16): the landline's keyed hash (area code and number, no extension) and the name's pinyin
    # without tones (张伟 = 章伟 = "zhang wei"), derived on every save like the hashes above.
    landline_hash = models.CharField(_("固定电话（摘要）"), max_length=64, blank=True, db_index=True)
    name_key = models.CharField(_("姓名拼音"), max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        permissions = [("view_full_personal_data", _("查看完整证件号码和电话"))]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A derived column, not a rule: whoever writes the row (a service, the admin, a shell), the hashes
        # follow the plain values.
        from xinfang.petitions import pii

        derived = {
            **pii.hashes(id_number=self.id_number, mobile=self.mobile),
            "landline_hash": pii.landline_hash(self.landline),
            "name_key": pii.name_key(self.name),
        }
        for field, value in derived.items():
            setattr(self, field, value)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)


class Matter(models.Model):
    """信访事项: the substance raised. Carries the workflow state; see workflow.py."""

    class Category(models.TextChoices):
        SUGGESTION = "suggestion", _("建议意见类")
        ACCUSATION = "accusation", _("检举控告类")
        CLAIM = "claim", _("申诉求决类")
        CONSULT = "consult", _("咨询类")

    class Outcome(models.TextChoices):
        SUPPORT = "support", _("予以支持")
        EXPLAIN = "explain", _("作出解释说明")
        NOT_SUPPORT = "not_support", _("不予支持")

    class DeliveryMethod(models.TextChoices):
        IN_PERSON = "in_person", _("当面送达")
        POST = "post", _("邮寄送达")
        ONLINE = "online", _("网上送达")
        OTHER = "other", _("其他")

    number = models.CharField(_("事项编号"), max_length=30, unique=True)
    title = models.CharField(_("事项摘要"), max_length=200)
    category = models.CharField(_("条例类型"), max_length=20, choices=Category.choices)
    purpose = models.ForeignKey(Code, verbose_name=_("信访目的"), on_delete=models.PROTECT, related_name="+")
    content_class = models.ForeignKey(
        Code, verbose_name=_("内容分类"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    township = models.ForeignKey(
        Unit, verbose_name=_("问题属地"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    state = models.CharField(_("状态"), max_length=30, db_index=True, choices=list(workflow.STATES.items()))
    version = models.PositiveIntegerField(default=1)
    registered_at = models.DateTimeField(_("登记时间"))  # indexed with the id: Meta.indexes
    registered_on = models.DateField(_("登记日期"), db_index=True)
    # 收到之日: the local date the first registration was received (the letter's receipt, the online
    # submission, the call or visit). The triage clock (条例第二十二条) and the direct-intake notice clock
    # (第二十三条第二款) run from it, not from the clerk's registration.
    received_on = models.DateField(_("收到日期"), null=True, blank=True, db_index=True)
    # Registered by a unit or township that received the petition directly (条例第二十三条第一、二款), not by
    # the bureau: no triage by the bureau, the unit's own 15-day notice clock (NOTIFY_DIRECT) runs.
    is_direct = models.BooleanField(_("责任单位直接受理"), default=False)

    # Routing
    handling_unit = models.ForeignKey(
        Unit,
        verbose_name=_("有权处理机关"),
        on_delete=models.PROTECT,
        related_name="handled_matters",
        null=True,
        blank=True,
    )
    handler = models.ForeignKey(
        "accounts.User",
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        related_name="handled_matters",
        null=True,
        blank=True,
    )
    # Local date of the bureau's first triage decision (the actions with workflow.Transition.triage), kept by
    # services.transition() for the KPI 及时受理率（信访部门）; the Event rows remain the record.
    triaged_on = models.DateField(_("信访部门受理日期"), null=True, blank=True)
    forwarded_on = models.DateField(_("转送交办日期"), null=True, blank=True)
    is_assignment = models.BooleanField(_("交办件"), default=False)
    assign_due = models.DateField(_("交办办结期限"), null=True, blank=True)
    received_by_unit_on = models.DateField(_("责任单位签收日期"), null=True, blank=True)
    objection_due = models.DateField(_("异议截止日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    handle_due = models.DateField(_("办理期限"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)

    # Reply and appeals
    outcome = models.CharField(_("处理意见"), max_length=20, choices=Outcome.choices, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=20, choices=DeliveryMethod.choices, blank=True
    )
    delivery_signed = models.BooleanField(_("签收"), null=True, blank=True)
    review_request_due = models.DateField(_("复查申请期限"), null=True, blank=True)
    review_unit = models.ForeignKey(
        Unit, verbose_name=_("复查机关"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    review_requested_on = models.DateField(_("复查申请日期"), null=True, blank=True)
    review_due = models.DateField(_("复查期限"), null=True, blank=True)
    review_decided_on = models.DateField(_("复查意见日期"), null=True, blank=True)
    review_outcome = models.CharField(_("复查意见"), max_length=20, choices=Outcome.choices, blank=True)
    recheck_request_due = models.DateField(_("复核申请期限"), null=True, blank=True)
    recheck_unit = models.ForeignKey(
        Unit, verbose_name=_("复核机关"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recheck_requested_on = models.DateField(_("复核申请日期"), null=True, blank=True)
    recheck_due = models.DateField(_("复核期限"), null=True, blank=True)
    # 听证所需时间不计算在复核期限内 (条例第三十六条): the days of recorded hearings push recheck_due back.
    recheck_hearing_days = models.PositiveSmallIntegerField(_("复核听证天数"), default=0)
    recheck_decided_on = models.DateField(_("复核意见日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    # Satisfaction evaluation windows (信访部门 after the acceptance notice, 责任单位 after the reply).
    eval_bureau_due = models.DateField(_("评价信访部门截止"), null=True, blank=True)
    eval_unit_due = models.DateField(_("评价责任单位截止"), null=True, blank=True)

    # The clock that matters now (for worklists and the sweep): code from deadlines.CLOCKS and its due date.
    clock = models.CharField(_("当前时限"), max_length=30, blank=True)
    clock_due = models.DateField(_("当前时限截止"), null=True, blank=True, db_index=True)

    # Flags
    is_major_urgent = models.BooleanField(_("重大紧急"), default=False)
    is_legal = models.BooleanField(_("涉法涉诉"), default=False)
    is_simple = models.BooleanField(_("简易办理"), default=False)
    is_confidential = models.BooleanField(_("检举控告保密"), default=False)
    accused_unit = models.ForeignKey(
        Unit, verbose_name=_("被检举单位"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    accused_person = models.CharField(_("被检举人"), max_length=100, blank=True)
    accused_user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("被检举人（系统用户）"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复事项"),
        on_delete=models.PROTECT,
        related_name="repeats",
        null=True,
        blank=True,
    )
    # 合并 (issue 16): a matter registered twice by mistake, merged into the surviving matter by the bureau
    # (services.merge_matter). Its registrations are moved under that matter (Registration.merged_from); the row
    # itself stays, unchanged but for its clock, so that services.unmerge_matter restores it exactly. A merged
    # matter appears in no worklist, sweep or statistic and takes no action.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已并入事项"),
        on_delete=models.PROTECT,
        related_name="merged",
        null=True,
        blank=True,
    )
    owner = models.ForeignKey(
        "accounts.User",
        verbose_name=_("包案领导"),
        on_delete=models.PROTECT,
        related_name="owned_matters",
        null=True,
        blank=True,
    )
    owned_since = models.DateField(_("包案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["handling_unit", "state"], name="matter_unit_state"),
            # search results newest first (queries.SEARCH_SORT: registered_at, id descending) read off the index,
            # not sorted; a unit's from the second, on PostgreSQL with the columns of access.visible_matters'
            # filter, so that no table row is read for it
            models.Index(fields=["registered_at", "id"], name="matter_registered"),
            models.Index(
                fields=["handling_unit", "registered_at", "id"],
                name="matter_unit_registered",
                include=["is_confidential", "accused_unit", "accused_user"],
            ),  # fmt: skip
            # statistics (bench/analytics.py): the KPI windows and the running clocks
            models.Index(fields=["handle_due"], name="matter_handle_due"),
            models.Index(fields=["replied_on"], name="matter_replied_on"),
            models.Index(fields=["eval_bureau_due"], name="matter_eval_bureau_due"),
            models.Index(fields=["eval_unit_due"], name="matter_eval_unit_due"),
            models.Index(fields=["clock", "clock_due"], name="matter_clock_due"),
        ]
        constraints = [
            # the state is one of workflow.STATES, whoever writes the row
            models.CheckConstraint(
                condition=models.Q(state__in=list(workflow.STATES)), name="matter_state_known"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class Registration(models.Model):
    """信访件: one letter / call / visit / online submission / video reception / assignment from above."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("来信")
        PHONE = "phone", _("来电")
        VISIT = "visit", _("来访")
        ONLINE = "online", _("网上信访")
        VIDEO = "video", _("视频接访")
        ASSIGNED = "assigned", _("上级交办")

    class Disposition(models.TextChoices):
        NEW = "new", _("新事项")
        REPEAT = "repeat", _("重复件（并入原事项）")
        NO_LONGER = "no_longer", _("不再受理（原事项已终结）")
        PENDING_ELSEWHERE = "pending", _("不予受理（原事项正在办理）")

    number = models.CharField(_("登记编号"), max_length=30, unique=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="registrations")
    channel = models.CharField(_("信访形式"), max_length=20, choices=Channel.choices, db_index=True)
    received_at = models.DateTimeField(_("来信来访日期"))
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    disposition = models.CharField(_("处理方式"), max_length=20, choices=Disposition.choices, default="new")
    head_count = models.PositiveIntegerField(_("人数"), default=1)
    is_collective = models.BooleanField(_("集体访/联名信"), default=False)
    is_leapfrog = models.BooleanField(_("越级"), default=False)
    place = models.CharField(_("接待地点"), max_length=100, blank=True)
    content = models.TextField(_("反映内容"))
    request = models.TextField(_("诉求"), blank=True)
    facts = models.TextField(_("事实和理由"), blank=True)
    source_unit = models.ForeignKey(
        Unit, verbose_name=_("交办机关"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    external_number = models.CharField(_("上级交办编号"), max_length=50, blank=True)
    external_due = models.DateField(_("上级交办期限"), null=True, blank=True)
    petitioners = models.ManyToManyField(
        Petitioner, through="RegistrationPetitioner", related_name="registrations"
    )
    query_code_hash = models.CharField(_("查询码（摘要）"), max_length=128, blank=True)
    leader = models.ForeignKey(
        "accounts.User",
        verbose_name=_("接访领导"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reception_day = models.ForeignKey(
        "ReceptionDay",
        verbose_name=_("领导接访日"),
        on_delete=models.PROTECT,
        related_name="registrations",
        null=True,
        blank=True,
    )
    video_session = models.ForeignKey(
        "VideoSession",
        verbose_name=_("视频接访场次"),
        on_delete=models.PROTECT,
        related_name="registrations",
        null=True,
        blank=True,
    )
    outcome = models.CharField(_("接访结果"), max_length=20, blank=True)
    # The matter this registration belonged to before that matter was merged into its present one (合并,
    # services.merge_matter); unmerge moves it back. None for a registration never moved.
    merged_from = models.ForeignKey(
        Matter,
        verbose_name=_("并入前所属事项"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Site(models.TextChoices):
        BUREAU = "bureau", _("信访局机关")
        CENTRE = "centre", _("群众接待中心")
        TOWNSHIP = "township", _("乡镇接待点")
        DUTY_STATION = "duty_station", _("驻外值班点（上级接待场所）")
        OTHER = "other", _("其他地点")

    site = models.CharField(_("接待场所"), max_length=20, choices=Site.choices, blank=True)

    class Meta:
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")
        ordering = ["-registered_at"]
        # statistics by 登记时间 (信访总量 件次/人次): bench/analytics.py
        indexes = [
            models.Index(fields=["registered_at"], name="registration_registered_at"),
            models.Index(fields=["external_number"], name="registration_external_number"),  # search
        ]

    def __str__(self):
        return self.number


class RegistrationPetitioner(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE)
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT)
    is_representative = models.BooleanField(_("代表"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "petitioner"], name="registration_petitioner_once"
            ),
        ]


class MatterSearch(models.Model):
    """The search index row of a matter (petitions/search.py): its petitioners' names and the words of its title
    and content as space-separated tokens (jieba). Written only by search.refresh/rebuild. The database indexes
    it: PostgreSQL generated tsvector columns with GIN indexes, SQLite an FTS5 table kept by triggers
    (migrations 0013, 0017; a migration that rebuilds this table on SQLite must create the triggers again)."""

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, primary_key=True, related_name="search")
    names = models.TextField(blank=True)
    words = models.TextField(blank=True)
    # The matter's handling unit (its id), indexed with the words so that a unit officer's search is one index
    # lookup (a word and the unit's token); copied by the database whenever Matter.handling_unit changes
    # (migration 0017's triggers), written by search.index_new/refresh/rebuild when the row is created.
    unit = models.IntegerField(null=True, blank=True)


class SimilarityBand(models.Model):
    """One LSH band key of a matter's MinHash signature (petitions/similar.py, ADR 0015): matters whose words
    agree in a band share its key, so a draft's candidates are found by an indexed IN over its band keys on
    SQLite and PostgreSQL alike. Written only by similar.refresh/rebuild, with the search row."""

    key = models.BigIntegerField()
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["key", "matter"], name="similarity_band_key")]


class Document(models.Model):
    """A written notice or opinion with its official number (文号). Its text is frozen when issued."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="documents")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("文书类型"), max_length=30)
    issuer = models.ForeignKey(Unit, verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("文号"), max_length=60)
    title = models.CharField(_("标题"), max_length=100)
    addressee = models.CharField(_("送达对象"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    issued_on = models.DateField(_("日期"))
    is_public = models.BooleanField(_("向信访人公开"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "kind", "seq"], name="document_number_unique"),
        ]
        indexes = [models.Index(fields=["number"], name="document_number")]  # search by 文号

    def __str__(self):
        return f"{self.title} {self.number}"


class NumberSequence(models.Model):
    """Last number used per unit, year and kind (document kinds, "matter", "registration"). Numbers are
    allocated inside the issuing transaction, so a rolled-back transaction leaves no gap."""

    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "kind"], name="number_sequence_unique")
        ]


class Event(models.Model):
    """One row per change: the audit trail, the timeline people read and the source for statistics."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=40, db_index=True)
    action = models.CharField(_("操作"), max_length=40, blank=True)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+", null=True
    )
    note = models.TextField(_("说明"), blank=True)
    is_public = models.BooleanField(_("向信访人公开"), default=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """延期申请 (条例第三十四条): the handling unit's officer asks with a reason; a 负责人 of the unit approves
    (the `extend` transition) or refuses with a reason. Written only by services.request_extension and
    services.decide_extension."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(_("审批状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+", null=True,
        blank=True,
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予批准的理由"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter"], condition=models.Q(state="pending"), name="extension_request_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=30), name="extension_request_days"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "approved", "refused"]),
                name="extension_request_state",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="extension_request_refusal_reason",
            ),
        ]

    def __str__(self):
        return f"{self.matter.number} 延期{self.days}日（{self.get_state_display()}）"


class Recusal(models.Model):
    """回避: a staff member with a direct interest in the matter or the petitioner."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="recusals")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField(_("回避理由"), max_length=200)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "user"], name="recusal_once")]


def attachment_path(instance, filename):
    # In the default storage (MEDIA_ROOT or a private S3 bucket, core.files), named by content; served only
    # through views that check access, never by a storage URL.
    return f"attachments/{instance.matter.registered_on:%Y/%m}/{instance.sha256[:32]}"


class Attachment(models.Model):
    """A file attached to a matter (by the petitioner online or by staff). Checked by content, not by name."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="attachments")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_petitioner = models.BooleanField(_("信访人提交"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]


class Evaluation(models.Model):
    """满意度评价 by the petitioner: of the bureau (信访部门) and of the handling unit (责任单位), once each."""

    class Target(models.TextChoices):
        BUREAU = "bureau", _("信访部门")
        UNIT = "unit", _("责任单位")

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="evaluations")
    target = models.CharField(_("评价对象"), max_length=10, choices=Target.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    value = models.CharField(_("评价"), max_length=20, choices=Value.choices)
    reason = models.CharField(_("不满意原因"), max_length=100, blank=True)
    text = models.TextField(_("评价内容"), blank=True)
    at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.UniqueConstraint(fields=["matter", "target"], name="evaluation_once_per_target")
        ]
        indexes = [models.Index(fields=["target", "at"], name="evaluation_target_at")]


class FollowUpCall(models.Model):
    """回访: the bureau's telephone call to the petitioner after the reply, with what they said. A staff record
    (services.record_follow_up): the notes are never shown on the portal."""

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")
        NO_ANSWER = "no_answer", _("未接通")
        DECLINED = "declined", _("拒绝回访")

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="follow_ups")
    called_by = models.ForeignKey(
        "accounts.User", verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(_("回访时间"))
    callee = models.CharField(_("回访对象"), max_length=100)
    outcome = models.CharField(_("回访结果"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("回访情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["called_at", "id"]

    def __str__(self):
        return f"{self.callee} {self.get_outcome_display()}"


class SupervisionOrder(models.Model):
    """督查督办: an order to a unit that is late or negligent (条例第四十条). Proposed automatically by the
    sweep (clock breached, reply rated 不满意, same facts registered again) or issued by a supervisor."""

    class Level(models.TextChoices):
        URGE = "urge", _("催办")
        SUPERVISE = "supervise", _("督办")
        LISTED = "listed", _("挂牌督办")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("人工发起")
        CLOCK = "clock", _("超过法定时限")
        UNSATISFIED = "unsatisfied", _("群众评价不满意")
        REPEAT = "repeat", _("同人同事重复信访")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核（系统建议）")
        ISSUED = "issued", _("已下达")
        ANSWERED = "answered", _("已书面反馈")
        CLOSED = "closed", _("已办结")
        DISMISSED = "dismissed", _("不予督办")

    number = models.CharField(_("督办编号"), max_length=40, blank=True)
    level = models.CharField(_("督办级别"), max_length=20, choices=Level.choices, default=Level.URGE)
    trigger = models.CharField(_("来源"), max_length=20, choices=Trigger.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    target_unit = models.ForeignKey(
        Unit, verbose_name=_("被督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    matters = models.ManyToManyField(Matter, related_name="supervision_orders", verbose_name=_("信访事项"))
    clock = models.CharField(_("超期时限"), max_length=30, blank=True)
    reason = models.TextField(_("督办事由"))
    deadline = models.DateField(_("反馈期限"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    proposed_at = models.DateTimeField(_("建议时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    feedback = models.TextField(_("书面反馈"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    result = models.TextField(_("督办结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-id"]

    def __str__(self):
        return self.number or f"督办建议#{self.pk}"


class SupervisionFollowUp(models.Model):
    """A follow-up on an order: a reminder, a phone call, an on-site check (实地督查)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("催办提醒")
        PHONE = "phone", _("电话督促")
        ONSITE = "onsite", _("实地督查")
        MEETING = "meeting", _("约谈")

    order = models.ForeignKey(SupervisionOrder, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("情况"))


class ClockAlert(models.Model):
    """The sweep's mark that a clock of a matter became due soon or overdue (once per clock, due and level)."""

    class Level(models.TextChoices):
        DUE_SOON = "due_soon", _("临期")
        OVERDUE = "overdue", _("超期")

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="clock_alerts")
    clock = models.CharField(max_length=30)
    due = models.DateField()
    level = models.CharField(max_length=10, choices=Level.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "clock", "due", "level"], name="clock_alert_once"),
        ]


class Notification(models.Model):
    """An in-app notification; `dedupe_key` makes the sweep idempotent. E-mail/SMS copies go out through
    the sender interface (xinfang.core.notify) and are marked sent."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(max_length=200, blank=True)
    dedupe_key = models.CharField(max_length=150, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("已外发"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ReceptionDay(models.Model):
    """领导接访日: a leader receives petitioners on a scheduled day (条例第十八条)."""

    leader = models.ForeignKey(
        "accounts.User", verbose_name=_("接访领导"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=100)
    topic = models.CharField(_("接访主题"), max_length=200, blank=True)
    is_published = models.BooleanField(_("在网上公布"), default=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("领导接访日")
        verbose_name_plural = _("领导接访日")
        ordering = ["-date"]


class Campaign(models.Model):
    """积案化解 campaign: a target list of long-unresolved matters, responsible leaders and units."""

    name = models.CharField(_("活动名称"), max_length=100)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    description = models.TextField(_("工作要求"), blank=True)

    class Meta:
        verbose_name = _("积案化解活动")
        verbose_name_plural = _("积案化解活动")
        ordering = ["-start"]


class CampaignMatter(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("化解中")
        RESOLVED = "resolved", _("已化解")
        STOPPED = "stopped", _("息诉息访")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="items")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="campaign_items")
    leader = models.ForeignKey("accounts.User", verbose_name=_("责任领导"), on_delete=models.PROTECT, related_name="+",
                               null=True, blank=True)  # fmt: skip
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("进展"), max_length=20, choices=Status.choices, default=Status.PENDING)
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    note = models.TextField(_("化解情况"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "matter"], name="campaign_matter_once")]


class Dispute(models.Model):
    """矛盾纠纷排查化解: a dispute found by a township or department before it becomes a petition."""

    class Risk(models.TextChoices):
        LOW = "low", _("一般")
        MEDIUM = "medium", _("较大")
        HIGH = "high", _("重大")

    class Mediator(models.TextChoices):
        PEOPLES = "peoples", _("人民调解委员会")
        LAWYER = "lawyer", _("律师")
        THIRD_PARTY = "third_party", _("第三方调解中心")
        ADMINISTRATIVE = "administrative", _("行政调解")
        NONE = "none", _("尚未调解")

    class Result(models.TextChoices):
        OPEN = "open", _("化解中")
        RESOLVED = "resolved", _("已化解")
        UNRESOLVED = "unresolved", _("未化解")
        PETITION = "petition", _("转为信访事项")

    number = models.CharField(_("编号"), max_length=30, unique=True)
    source_unit = models.ForeignKey(
        Unit, verbose_name=_("排查单位"), on_delete=models.PROTECT, related_name="+"
    )
    found_on = models.DateField(_("排查日期"), db_index=True)
    township = models.ForeignKey(Unit, verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="+",
                                 null=True, blank=True)  # fmt: skip
    place = models.CharField(_("地点"), max_length=100, blank=True)
    parties = models.TextField(_("当事人"))
    kind = models.CharField(_("纠纷类型"), max_length=50)
    summary = models.TextField(_("纠纷情况"))
    risk = models.CharField(_("风险等级"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    mediator = models.CharField(_("调解方式"), max_length=20, choices=Mediator.choices, default=Mediator.NONE)
    agreement = models.TextField(_("调解协议"), blank=True)
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices, default=Result.OPEN)
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    matter = models.ForeignKey(Matter, verbose_name=_("关联信访事项"), on_delete=models.PROTECT, related_name="disputes",
                               null=True, blank=True)  # fmt: skip

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-found_on"]


class JointMeetingMember(models.Model):
    """A member unit of the county 信访工作联席会议 (member units are data, changed when the county adjusts them)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="joint_meeting_membership")
    role = models.CharField(_("职务"), max_length=50, default="成员单位")
    since = models.DateField(_("加入日期"))
    until = models.DateField(_("退出日期"), null=True, blank=True)


class JointMeeting(models.Model):
    """联席会议 (协调会议): deliberates hard matters (研判) and issues supervision orders."""

    date = models.DateField(_("日期"), db_index=True)
    title = models.CharField(_("会议名称"), max_length=100)
    convener = models.ForeignKey(
        "accounts.User", verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("参会单位"), related_name="+")
    attendees = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-date"]


class Deliberation(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="deliberations")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="deliberations")
    conclusion = models.TextField(_("研判结论"))
    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "matter"], name="deliberation_once")]


class AssistanceCase(models.Model):
    """特殊疑难信访问题专项资金救助: one file per case (一案一卷); approved by the joint meeting's convener."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("不予批准")
        PAID = "paid", _("已拨付")

    number = models.CharField(_("卷号"), max_length=30, unique=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="assistance_cases")
    persons = models.PositiveSmallIntegerField(_("救助人数"), default=1)
    hardship = models.TextField(_("困难情况"))
    amount_requested = models.DecimalField(_("申请金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    amount_approved = models.DecimalField(
        _("批准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision_note = models.TextField(_("审批意见"), blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    amount_paid = models.DecimalField(
        _("拨付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stopped_petitioning = models.BooleanField(_("息诉息访"), default=False)

    class Meta:
        verbose_name = _("专项资金救助")
        verbose_name_plural = _("专项资金救助")
        ordering = ["-applied_on"]


class VideoSession(models.Model):
    """视频接访: a session between the bureau and a township; petitioners received remotely are registered
    on the video channel and linked to the session."""

    township = models.ForeignKey(Unit, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=[("reception", _("远程接访")), ("meeting", _("视频会议"))],
                            default="reception")  # fmt: skip
    participants = models.TextField(_("参加人员"), blank=True)
    link = models.CharField(_("会议链接"), max_length=300, blank=True)
    held = models.BooleanField(_("已举行"), default=False)
    outcome = models.TextField(_("情况"), blank=True)

    class Meta:
        verbose_name = _("视频接访")
        verbose_name_plural = _("视频接访")
        ordering = ["-scheduled_at"]
