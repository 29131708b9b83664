"""Certificate templates: the rows of each certificate type and where their values come from.

A template lists the rows of the real certificate in print order.  Each row's value comes from
the case (``source``, filled by ``certificate_prefill``): the applicant (name, ID or credit code, legal representative, address),
the matter, the competent authority, the date of issue, or the clerk, who fills in what the
case does not know (business scope, registered capital, disability category …).  Rows the
system fills (``auto``) cannot be overridden by the clerk: the authority and the registration
date are what they are.  A business licence prints the unified social credit code in full (it
is public); a person's ID number is masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.i18n import N_, _

VALID_UNTIL = "valid_until"


@dataclass(frozen=True)
class TemplateField:
    key: str  # what ``--field KEY=VALUE`` names
    label: str  # msgid; the translated label is printed on the certificate
    source: str = ""  # where the value comes from (see ``prefill``); "" = the clerk
    required: bool = True
    auto: bool = False  # filled by the system, never by the clerk
    choices: tuple[str, ...] = ()  # allowed values, when the law fixes them
    max_len: int = 400


@dataclass(frozen=True)
class Template:
    type_code: str  # GB/T 36904 type code part of the number
    fields: tuple[TemplateField, ...]
    valid_years: int | None  # None: long-term
    holder_key: str = "name"  # the row that names the holder (listing, QR)
    public: bool = True  # a licence of a business (公示): its fields may go in the trust list


def _f(key: str, label: str, source: str = "", **kw: object) -> TemplateField:
    return TemplateField(key, label, source, **kw)  # type: ignore[arg-type]


_NAME = _f("name", N_("Name"), "holder")
_USCC = _f("uscc", N_("Unified social credit code"), "uscc", max_len=18)
_LEGAL_REP = _f(
    "legal_rep", N_("Legal representative (person in charge)"), "legal_rep", max_len=100
)
_RESIDENCE = _f("residence", N_("Domicile"), "address")
_ADDRESS = _f("address", N_("Business premises"), "address")
_AUTHORITY = _f("authority", N_("Issuing authority"), "authority", auto=True)
_SCOPE = _f("scope", N_("Business scope"), max_len=2000)

DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")

_TEMPLATES: dict[str, Template] = {
    "营业执照": Template(
        "YYZZ",
        (
            _f("name", N_("Name"), "entity_name", max_len=200),
            _USCC,
            _f("kind", N_("Type"), max_len=100),
            _f("legal_rep", N_("Legal representative / operator"), "legal_rep", max_len=100),
            _f("capital", N_("Registered capital"), required=False, max_len=100),
            _f("founded", N_("Date of establishment"), "issued_on", max_len=20),
            _f("residence", N_("Domicile / business premises"), "address"),
            _SCOPE,
            _f("registrar", N_("Registration authority"), "authority", auto=True),
            _f("registered_on", N_("Registration date"), "issued_on", auto=True),
        ),
        None,
    ),
    "食品经营许可证": Template(
        "SPJY",
        (
            _f("name", N_("Operator name"), "holder", max_len=200),
            _f("uscc", N_("Social credit code (ID number)"), "holder_id", max_len=18),
            _LEGAL_REP,
            _RESIDENCE,
            _ADDRESS,
            _f("format", N_("Main business format"), max_len=100),
            _f("scope", N_("Business items"), max_len=2000),
            _f("supervisor", N_("Daily supervision authority"), required=False, max_len=100),
            _AUTHORITY,
        ),
        5,
    ),
    "公共场所卫生许可证": Template(
        "GGWS",
        (
            _f("name", N_("Unit name"), "holder", max_len=200),
            _LEGAL_REP,
            _f("address", N_("Address"), "address"),
            _f("scope", N_("Licensed items"), max_len=1000),
            _AUTHORITY,
        ),
        4,
    ),
    "残疾人证": Template(
        "CJR",
        (
            _NAME,
            _f("sex", N_("Sex"), "sex", choices=("男", "女"), max_len=2),
            _f("born", N_("Date of birth"), "born", max_len=20),
            _f("id", N_("Citizen ID number"), "holder_id", max_len=20),
            _f("category", N_("Disability category"), choices=DISABILITY_CATEGORIES, max_len=4),
            _f("grade", N_("Disability grade"), choices=DISABILITY_GRADES, max_len=4),
            _f("address", N_("Address"), "address"),
            _f("guardian", N_("Guardian"), required=False, max_len=100),
            _AUTHORITY,
        ),
        10,
        public=False,  # a person's disability: sensitive personal information (PIPL art. 28)
    ),
    "药品经营许可证": Template(
        "YPJY",
        (
            _f("name", N_("Enterprise name"), "holder", max_len=200),
            _USCC,
            _LEGAL_REP,
            _f("manager", N_("Person in charge of the enterprise"), max_len=100),
            _f("quality", N_("Person in charge of quality"), max_len=100),
            _f("residence", N_("Registered address"), "address"),
            _f("warehouse", N_("Warehouse address"), required=False),
            _SCOPE,
            _AUTHORITY,
        ),
        5,
    ),
    "燃气经营许可证": Template(
        "RQJY",
        (
            _f("name", N_("Enterprise name"), "holder", max_len=200),
            _LEGAL_REP,
            _f("residence", N_("Registered address"), "address"),
            _f("kind", N_("Business category"), max_len=200),
            _f("area", N_("Business area"), max_len=400),
            _AUTHORITY,
        ),
        3,
    ),
    "道路运输经营许可证": Template(
        "DLYS",
        (
            _f("name", N_("Operator name"), "holder", max_len=200),
            _f("residence", N_("Address"), "address"),
            _f("kind", N_("Economic type"), required=False, max_len=100),
            _SCOPE,
            _AUTHORITY,
        ),
        4,
    ),
    **{
        name: Template(
            code,
            (
                _NAME,
                _f("id", N_("ID number"), "holder_id", max_len=20),
                _f("spouse", N_("Spouse's name"), max_len=100),
                _f("spouse_id", N_("Spouse's ID number (masked)"), max_len=20),
                _f("registered_on", N_("Registration date"), "issued_on", auto=True),
                _f("registrar", N_("Registration authority"), "authority", auto=True),
            ),
            None,
            public=False,
        )
        for name, code in (("结婚证", "JHZ"), ("离婚证", "LHZ"))
    },
    "出生医学证明": Template(
        "CSYX",
        (
            _f("baby", N_("Newborn's name"), max_len=50),
            _f("sex", N_("Sex"), choices=("男", "女"), max_len=2),
            _f("born_at", N_("Time of birth"), max_len=30),
            _f("birthplace", N_("Place of birth"), max_len=200),
            _f("name", N_("Mother's name"), "holder", max_len=100),
            _f("id", N_("Mother's ID number"), "holder_id", max_len=20),
            _f("father", N_("Father's name"), required=False, max_len=100),
            _f("institution", N_("Delivery institution"), max_len=200),
            _AUTHORITY,
        ),
        None,
        holder_key="baby",
        public=False,
    ),
    "医疗机构执业许可证": Template(
        "YLJG",
        (
            _f("name", N_("Institution name"), "holder", max_len=200),
            _f("address", N_("Address"), "address"),
            _LEGAL_REP,
            _f("manager", N_("Principal person in charge"), max_len=100),
            _f("scope", N_("Medical subjects"), max_len=1000),
            _AUTHORITY,
        ),
        5,
    ),
    "护士执业证书": Template(
        "HSZY",
        (
            _NAME,
            _f("sex", N_("Sex"), "sex", choices=("男", "女"), max_len=2),
            _f("id", N_("Citizen ID number"), "holder_id", max_len=20),
            _f("workplace", N_("Place of practice"), max_len=200),
            _f("registered_on", N_("Registration date"), "issued_on", auto=True),
            _AUTHORITY,
        ),
        5,
        public=False,
    ),
    "建设工程规划许可证": Template(
        "JSGH",
        (
            _f("name", N_("Construction unit"), "holder", max_len=200),
            _f("project", N_("Project name"), max_len=200),
            _f("location", N_("Construction location"), max_len=200),
            _f("scale", N_("Construction scale"), max_len=400),
            _AUTHORITY,
        ),
        None,
    ),
    "建筑工程施工许可证": Template(
        "SGXK",
        (
            _f("name", N_("Construction unit"), "holder", max_len=200),
            _f("project", N_("Project name"), max_len=200),
            _f("location", N_("Construction address"), max_len=200),
            _f("scale", N_("Construction scale"), max_len=400),
            _f("price", N_("Contract price"), max_len=100),
            _f("builder", N_("Construction contractor"), max_len=200),
            _f("supervision", N_("Supervision unit"), max_len=200),
            _f("period", N_("Contract period"), max_len=100),
            _AUTHORITY,
        ),
        None,
    ),
    "商品房预售许可证": Template(
        "YSXK",
        (
            _f("name", N_("Development enterprise"), "holder", max_len=200),
            _f("project", N_("Project name"), max_len=200),
            _f("location", N_("Location of the buildings"), max_len=200),
            _f("floor_area", N_("Pre-sale floor area"), max_len=100),
            _f("units", N_("Pre-sale units"), max_len=100),
            _f("use", N_("Use"), max_len=100),
            _AUTHORITY,
        ),
        None,
    ),
    "不动产权证书": Template(
        "BDCQ",
        (
            _f("name", N_("Right holder"), "holder", max_len=200),
            _f("sharing", N_("Co-ownership"), max_len=100),
            _f("location", N_("Location"), "address", max_len=300),
            _f("unit", N_("Real estate unit number"), max_len=40),
            _f("right", N_("Type of right"), max_len=100),
            _f("nature", N_("Nature of right"), max_len=100),
            _f("use", N_("Use"), max_len=100),
            _f("floor_area", N_("Area"), max_len=100),
            _f("term", N_("Term of use"), max_len=100),
            _AUTHORITY,
        ),
        None,
        public=False,
    ),
    "不动产登记证明": Template(
        "BDCZM",
        (
            _f("matter", N_("Right or matter certified"), max_len=200),
            _f("name", N_("Right holder (applicant)"), "holder", max_len=200),
            _f("obligor", N_("Obligor"), max_len=200),
            _f("location", N_("Location"), "address", max_len=300),
            _f("unit", N_("Real estate unit number"), max_len=40),
            _AUTHORITY,
        ),
        None,
        public=False,
    ),
    "道路运输证": Template(
        "DLYSZ",
        (
            _f("name", N_("Operator name"), "holder", max_len=200),
            _f("plate", N_("Vehicle plate number"), max_len=20),
            _f("vehicle", N_("Vehicle type"), max_len=100),
            _SCOPE,
            _AUTHORITY,
        ),
        None,
    ),
    "就业创业证": Template(
        "JYCY",
        (
            _NAME,
            _f("id", N_("Citizen ID number"), "holder_id", max_len=20),
            _f("address", N_("Address"), "address", required=False),
            _f("status", N_("Employment status"), max_len=100),
            _AUTHORITY,
        ),
        None,
        public=False,
    ),
}
_GENERIC = Template(
    "ZZ",
    (
        _f("name", N_("Holder"), "holder"),
        _f("id", N_("ID number"), "holder_id", max_len=20),
        _f("residence", N_("Address"), "address", required=False),
        _f("matter", N_("Matter"), "matter"),
        _AUTHORITY,
    ),
    None,
    public=False,  # 不动产权证书, 结婚证 …: a person's records
)


def template_for(certificate_type: str) -> Template:
    """The template of a certificate type (the catalog's name, e.g. 营业执照); generic if none."""
    return _TEMPLATES.get(certificate_type, _GENERIC)


def known_types() -> list[str]:
    """The certificate types with a template of their own."""
    return list(_TEMPLATES)


def template_fields(certificate_type: str) -> list[TemplateField]:
    """The template's rows, the validity date (``valid_until``) last."""
    tpl = template_for(certificate_type)
    return [
        *tpl.fields,
        TemplateField(VALID_UNTIL, N_("Valid until (YYYY-MM-DD, empty: long-term)"), "", False),
    ]


def check_values(tpl: Template, values: dict[str, str]) -> None:
    """Raise ``ValueError`` (translated) on a missing, too long or not allowed value."""
    for f in tpl.fields:
        value = values.get(f.key, "")
        if f.required and not value:
            raise ValueError(_("the field {label} is required").format(label=_(f.label)))
        if len(value) > f.max_len:
            raise ValueError(
                _("the field {label} is longer than {n} characters").format(
                    label=_(f.label), n=f.max_len
                )
            )
        if value and f.choices and value not in f.choices:
            raise ValueError(
                _("the field {label} must be one of: {choices}").format(
                    label=_(f.label), choices="、".join(f.choices)
                )
            )
