"""The catalogue of input paths a rule may read, with their types.

One table serves three purposes: rule validation (an unknown path or a value of
the wrong type is a load error, so a typo never silently fails to match), the
request schema's enums, and the derived facts the engine adds to every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from .marpol import ECAS, OUTSIDE

VESSEL_TYPES = (
    "container", "reefer", "cruise", "ro_ro", "vehicle_carrier", "oil_tanker",
    "chemical_tanker", "gas_carrier", "bulk_carrier", "general_cargo", "semi_container",
    "lng_bunker_vessel", "other",
)
FUELS = (
    "hfo", "vlsfo", "ulsfo", "mgo", "mdo", "lng", "methanol", "ammonia", "hydrogen",
    "biofuel", "battery",
)
SCRUBBERS = ("none", "open_loop", "closed_loop", "hybrid")
ENGINE_ROLES = ("main", "auxiliary")
# Fees a benefit can be a share of. A rule naming any other fee is a load error.
FEES = (
    "dockage", "first_day_dockage", "port_dues", "port_dues_gt_portion",
    "port_dues_sustainability_component",
    "port_facilities_and_light_dues",  # Hong Kong, Cap. 313A reg. 49(1)
    "port_entry_fee",  # Japan, 入港料
    "vessel_entry_exit_dues",  # Korea, 선박입출항료
    "harbour_dues",  # Vancouver, Prince Rupert
)
CHINA_DECA_AREAS = ("coastal", "inland_river", "hainan")


@dataclass(frozen=True)
class FieldType:
    kind: str  # number | integer | bool | string | date | enum | enum_list
    choices: tuple = ()

    def describe(self) -> str:
        return f"one of {', '.join(self.choices)}" if self.choices else self.kind


NUMBER, INTEGER, BOOL, STRING, DATE = (FieldType(k) for k in ("number", "integer", "bool", "string", "date"))


def _enum(values):
    return FieldType("enum", tuple(values))


# Paths a caller sends. Keep in step with schemas in request.py (a test checks).
REQUEST_FIELDS: dict[str, FieldType] = {
    "vessel.imo": STRING,
    "vessel.name": STRING,
    "vessel.type": _enum(VESSEL_TYPES),
    "vessel.gross_tonnage": NUMBER,
    "vessel.deadweight": NUMBER,
    "vessel.flag": STRING,
    "vessel.operator": STRING,
    "vessel.keel_laid": DATE,
    "vessel.year_built": INTEGER,
    "vessel.fuels": FieldType("enum_list", FUELS),
    "vessel.scrubber": _enum(SCRUBBERS),
    "vessel.shore_power.fitted": BOOL,
    "vessel.shore_power.class_approved": BOOL,
    "vessel.shore_power.commissioned": BOOL,
    "vessel.esi.score": NUMBER,
    "vessel.esi.nox_score": NUMBER,
    "vessel.esi.nox_valid": BOOL,
    "vessel.esi.sox_valid": BOOL,
    "vessel.esi.valid_until": DATE,
    "vessel.csi_stars": INTEGER,
    "vessel.green_award": BOOL,
    "vessel.eedi_improvement_pct": NUMBER,
    "vessel.solas_certificate": BOOL,
    "call.port": STRING,
    "call.terminal": STRING,
    "call.terminal_visits_per_year": INTEGER,
    "call.arrival": DATE,
    "call.departure": DATE,
    "call.hours_at_berth": NUMBER,
    "call.international_voyage": BOOL,
    "call.berth_has_shore_power": BOOL,
    "call.equivalent_measures": BOOL,
    "call.fuel_at_berth": _enum(FUELS),
    "call.fuel_sulphur_pct": NUMBER,
    "call.fuel_for_entire_stay": BOOL,
    "call.fuel_switched_before_port_limits": BOOL,
    "call.biofuel_blend_pct": NUMBER,
    "call.fuel_ghg_reduction_pct": NUMBER,
    "call.fuel_from_renewables": BOOL,
    "call.ammonia_pilot_fuel_pct": NUMBER,
    "call.methane_slip_addressed": BOOL,
    "call.low_carbon_harbour_craft": BOOL,
    "call.shore_power_used": BOOL,
    "call.caecs_used": BOOL,
    "call.tap_demonstration": BOOL,
    "call.vsr.within_20nm": BOOL,
    "call.vsr.within_40nm": BOOL,
    "call.operator_vsr_compliance.year": INTEGER,
    "call.operator_vsr_compliance.zone_20nm_pct": NUMBER,
    "call.operator_vsr_compliance.zone_40nm_pct": NUMBER,
    "call.registered_for_incentive": BOOL,
    "call.operator_calls_per_year": INTEGER,
    "call.berth_fuel_switch.hours_after_arrival": NUMBER,
    "call.berth_fuel_switch.hours_before_departure": NUMBER,
    "call.fuel_switched_before_control_area": BOOL,
    "call.china_deca_area": _enum(CHINA_DECA_AREAS),
    "call.vsr.share_of_year_calls_pct": NUMBER,
    "call.biofuel_bunkered_tonnes": NUMBER,
}

# Facts the engine derives once per request, so rules state intent, not arithmetic.
DERIVED_FIELDS: dict[str, tuple[FieldType, str]] = {
    "as_of": (DATE, "the call's arrival date, else today (UTC)"),
    "call.stay_days": (INTEGER, "departure minus arrival, in days"),
    "vessel.main_engine_tier": (INTEGER, "the lowest IMO NOx tier among the main engines; one with no declared "
                                         "tier counts at the tier its keel date requires (Reg. 13)"),
    "vessel.auxiliary_engine_tier": (INTEGER, "the lowest IMO NOx tier among the auxiliary engines"),
    "vessel.shore_power.capable": (BOOL, "fitted and commissioned"),
    "vessel.esi.current": (BOOL, "ESI certificate valid on the as-of date"),
    "call.operator_vsr_compliance.for_previous_year": (
        BOOL, "the compliance record is for the calendar year before the as-of date"),
}

FIELDS: dict[str, FieldType] = {**REQUEST_FIELDS, **{k: v[0] for k, v in DERIVED_FIELDS.items()}}

# Valid ranges of numeric inputs (the request schema enforces them). A rule comparing
# outside them can never be true, which `rules check` reports.
RANGES: dict[str, tuple] = {
    "vessel.gross_tonnage": (0, 1_000_000),
    "vessel.deadweight": (0, 1_000_000),
    "vessel.year_built": (1850, 2100),
    "vessel.esi.score": (0, 100),
    "vessel.esi.nox_score": (0, 100),
    "vessel.csi_stars": (0, 5),
    "vessel.eedi_improvement_pct": (-100, 100),
    "vessel.main_engine_tier": (0, 3),
    "vessel.auxiliary_engine_tier": (0, 3),
    "call.terminal_visits_per_year": (0, 100_000),
    "call.hours_at_berth": (0, 24 * 366),
    "call.fuel_sulphur_pct": (0, 5),
    "call.biofuel_blend_pct": (0, 100),
    "call.fuel_ghg_reduction_pct": (0, 100),
    "call.ammonia_pilot_fuel_pct": (0, 100),
    "call.stay_days": (0, None),
    "call.operator_vsr_compliance.year": (2000, 2100),
    "call.operator_vsr_compliance.zone_20nm_pct": (0, 100),
    "call.operator_vsr_compliance.zone_40nm_pct": (0, 100),
    "call.operator_calls_per_year": (0, 100_000),
    "call.berth_fuel_switch.hours_after_arrival": (0, 24 * 366),
    "call.berth_fuel_switch.hours_before_departure": (0, 24 * 366),
    "call.vsr.share_of_year_calls_pct": (0, 100),
    "call.biofuel_bunkered_tonnes": (0, 1_000_000),
}

# ESI estimate (programs.md §5)
BUNKER_CATEGORIES = ("HIGH", "MID", "LOW")
_ESI_REQUEST_FIELDS = {"vessel.co2_reporting": BOOL, "vessel.co2_efficiency_gain_pct": NUMBER}
_ESI_DERIVED_FIELDS = {
    "vessel.esi.estimate": (NUMBER, "the ESI score estimated from engines, bunkers, CO2 reporting and OPS "
                                    "(programs.md §5, Variant A); null when it cannot be computed"),
    "vessel.esi.estimated": (BOOL, "vessel.esi.score is the estimate, as no score was declared (false when one "
                                   "was; null when there is neither)"),
}
REQUEST_FIELDS.update(_ESI_REQUEST_FIELDS)
DERIVED_FIELDS.update(_ESI_DERIVED_FIELDS)
FIELDS.update({**_ESI_REQUEST_FIELDS, **{k: v[0] for k, v in _ESI_DERIVED_FIELDS.items()}})
RANGES.update({"vessel.co2_efficiency_gain_pct": (0, 100), "vessel.esi.estimate": (0, 100)})

# MARPOL Annex VI (Reg. 13, 14)
_MARPOL_DERIVED_FIELDS = {
    "vessel.main_engine_tier_source": (_enum(("declared", "keel_laid")), "where vessel.main_engine_tier came "
                                       "from: the engines' declared tiers, or the keel date when one has none"),
    "call.emission_control_area": (_enum(ECAS + (OUTSIDE,)), "the MARPOL emission control area the call's port "
                                   "lies in (rules/emission-control-areas.yaml), or none; null when not placed"),
    "vessel.nox_tier_required": (INTEGER, "the Reg. 13 tier the engines must meet at this call, from the keel "
                                 "date and the port's NOx ECA; 0 for a keel laid before 2000"),
    "vessel.engines_nox_over_limit": (STRING, "none when every engine's NOx rating (to one decimal) is within the "
                                      "limit of that tier at its rated speed; else each engine over it, with figures"),
    "call.sulphur_cap_pct": (NUMBER, "the Reg. 14 fuel sulphur cap at the port on the as-of date, % m/m"),
    "call.fuel_sulphur_over_cap": (STRING, "none when call.fuel_sulphur_pct is within call.sulphur_cap_pct; "
                                   "else the fuel against the cap"),
}
DERIVED_FIELDS.update(_MARPOL_DERIVED_FIELDS)
FIELDS.update({k: v[0] for k, v in _MARPOL_DERIVED_FIELDS.items()})
RANGES.update({"vessel.nox_tier_required": (0, 3), "call.sulphur_cap_pct": (0, 5)})
