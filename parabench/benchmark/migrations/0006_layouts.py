"""Named storage: every packed vector refers to the layout (ordered names) of its numbers.

The layouts are frozen here as they were when this migration was written — later catalogues add
their own layouts, they never change these. Existing rows get the layout of what they hold (a
shorter, older values vector the prefix it was written with); snapshot blocks are a cache and
are dropped (the next recompute rebuilds them); statistics of another width are dropped
(``manage.py recompute_statistics`` writes them again). The percentile positions, no longer
computed or read since disclosure control (docs/privacy.md rule 7), lose their table.
"""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

VALUES = ('patients',
 'new_patients',
 'female_share',
 'episodes',
 'new_episodes',
 'episodes_per_patient',
 'chronic_share',
 'direct_access_share',
 'sessions',
 'sessions_per_episode',
 'sessions_per_episode_chronic',
 'sessions_per_episode_non_chronic',
 'median_sessions',
 'episode_weeks',
 'revenue',
 'revenue_per_session',
 'revenue_per_session_contract',
 'revenue_per_session_self_pay',
 'revenue_per_patient',
 'revenue_per_episode',
 'self_pay_share',
 'therapists',
 'fte',
 'sessions_per_fte',
 'patients_per_therapist',
 'no_show_rate',
 'outcome_measure_share',
 'goals_achieved_share',
 'ended_regular_share',
 'waiting_days',
 'waiting_within_5_share',
 'gender_age_mix.female.age_0_17',
 'gender_age_mix.female.age_18_29',
 'gender_age_mix.female.age_30_39',
 'gender_age_mix.female.age_40_49',
 'gender_age_mix.female.age_50_59',
 'gender_age_mix.female.age_60_69',
 'gender_age_mix.female.age_70_79',
 'gender_age_mix.female.age_80_plus',
 'gender_age_mix.male.age_0_17',
 'gender_age_mix.male.age_18_29',
 'gender_age_mix.male.age_30_39',
 'gender_age_mix.male.age_40_49',
 'gender_age_mix.male.age_50_59',
 'gender_age_mix.male.age_60_69',
 'gender_age_mix.male.age_70_79',
 'gender_age_mix.male.age_80_plus',
 'gender_age_mix.other.age_0_17',
 'gender_age_mix.other.age_18_29',
 'gender_age_mix.other.age_30_39',
 'gender_age_mix.other.age_40_49',
 'gender_age_mix.other.age_50_59',
 'gender_age_mix.other.age_60_69',
 'gender_age_mix.other.age_70_79',
 'gender_age_mix.other.age_80_plus',
 'chronic_mix.chronic',
 'chronic_mix.non_chronic',
 'access_route_mix.direct',
 'access_route_mix.gp',
 'access_route_mix.specialist',
 'access_route_mix.other',
 'referral_mix.gp',
 'referral_mix.specialist',
 'referral_mix.other',
 'dcsph_mix.head_neck',
 'dcsph_mix.thorax_abdomen',
 'dcsph_mix.spine',
 'dcsph_mix.shoulder_arm_hand',
 'dcsph_mix.pelvis_leg_foot',
 'dcsph_mix.generalised',
 'insurer_patient_mix.achmea',
 'insurer_patient_mix.vgz',
 'insurer_patient_mix.cz',
 'insurer_patient_mix.menzis',
 'insurer_patient_mix.dsw',
 'insurer_patient_mix.asr',
 'insurer_patient_mix.zorg_en_zekerheid',
 'insurer_patient_mix.onvz',
 'insurer_patient_mix.salland',
 'insurer_patient_mix.caresq',
 'insurer_patient_mix.other',
 'insurer_patient_mix.self_pay',
 'insurer_revenue_mix.achmea',
 'insurer_revenue_mix.vgz',
 'insurer_revenue_mix.cz',
 'insurer_revenue_mix.menzis',
 'insurer_revenue_mix.dsw',
 'insurer_revenue_mix.asr',
 'insurer_revenue_mix.zorg_en_zekerheid',
 'insurer_revenue_mix.onvz',
 'insurer_revenue_mix.salland',
 'insurer_revenue_mix.caresq',
 'insurer_revenue_mix.other',
 'insurer_revenue_mix.self_pay',
 'session_type_mix.regular',
 'session_type_mix.at_home',
 'session_type_mix.institution',
 'session_type_mix.paediatric',
 'session_type_mix.screening_intake',
 'session_type_mix.intake_referral',
 'session_type_mix.telephone',
 'session_type_mix.group',
 'session_type_mix.manual_therapy',
 'session_type_mix.oedema',
 'session_type_mix.pelvic',
 'session_type_mix.other',
 'payer_mix.basic',
 'payer_mix.supplementary',
 'payer_mix.self_pay',
 'support.closed_episodes',
 'support.closed_episodes_chronic',
 'support.closed_episodes_non_chronic',
 'support.routed_new_episodes',
 'support.waiting_episodes',
 'support.appointments',
 'support.sessions_per_episode_sd',
 'support.sessions_per_episode_chronic_sd',
 'support.sessions_per_episode_non_chronic_sd',
 'insurer.achmea.patients',
 'insurer.achmea.episodes_per_patient',
 'insurer.achmea.revenue_per_patient',
 'insurer.vgz.patients',
 'insurer.vgz.episodes_per_patient',
 'insurer.vgz.revenue_per_patient',
 'insurer.cz.patients',
 'insurer.cz.episodes_per_patient',
 'insurer.cz.revenue_per_patient',
 'insurer.menzis.patients',
 'insurer.menzis.episodes_per_patient',
 'insurer.menzis.revenue_per_patient',
 'insurer.dsw.patients',
 'insurer.dsw.episodes_per_patient',
 'insurer.dsw.revenue_per_patient',
 'insurer.asr.patients',
 'insurer.asr.episodes_per_patient',
 'insurer.asr.revenue_per_patient',
 'insurer.zorg_en_zekerheid.patients',
 'insurer.zorg_en_zekerheid.episodes_per_patient',
 'insurer.zorg_en_zekerheid.revenue_per_patient',
 'insurer.onvz.patients',
 'insurer.onvz.episodes_per_patient',
 'insurer.onvz.revenue_per_patient',
 'insurer.salland.patients',
 'insurer.salland.episodes_per_patient',
 'insurer.salland.revenue_per_patient',
 'insurer.caresq.patients',
 'insurer.caresq.episodes_per_patient',
 'insurer.caresq.revenue_per_patient',
 'insurer.other.patients',
 'insurer.other.episodes_per_patient',
 'insurer.other.revenue_per_patient')
GROWTH = ('growth_patients', 'growth_episodes', 'growth_sessions', 'growth_revenue')
STATISTICS = ('n', 'p10', 'p25', 'median', 'p75', 'p90', 'tau2')
COLUMNS = VALUES + GROWTH  # the statistics' columns: the stored values, then growth

def layout_id(names) -> int:
    digest = hashlib.sha256("\n".join(names).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def name_rows(apps, schema_editor):
    Layout = apps.get_model("benchmark", "Layout")
    WindowValues = apps.get_model("benchmark", "WindowValues")
    GroupStatistics = apps.get_model("benchmark", "GroupStatistics")
    WindowBlock = apps.get_model("benchmark", "WindowBlock")

    def ensure(names):
        pk = layout_id(names)
        Layout.objects.get_or_create(id=pk, defaults={"names": list(names)})
        return pk

    WindowBlock.objects.all().delete()
    for field, names in (("values", VALUES), ("growth", GROWTH)):
        target = "layout_id" if field == "values" else "growth_layout_id"
        rows = WindowValues.objects.filter(**{f"{field}__isnull": False})
        widths = {}
        for pk, blob in rows.values_list("pk", field).iterator(chunk_size=5000):
            widths.setdefault(len(blob) // 8, []).append(pk)
        for width, pks in widths.items():
            layout = ensure(names[:width])
            for start in range(0, len(pks), 5000):
                WindowValues.objects.filter(pk__in=pks[start : start + 5000]).update(
                    **{target: layout}
                )
    statistics, columns = ensure(STATISTICS), ensure(COLUMNS)
    size = len(STATISTICS) * len(COLUMNS) * 8
    for pk, blob in GroupStatistics.objects.filter(stats__isnull=False).values_list("pk", "stats"):
        if len(blob) == size:
            GroupStatistics.objects.filter(pk=pk).update(statistics=statistics, columns=columns)
        else:
            GroupStatistics.objects.filter(pk=pk).delete()


def _layout(null, verbose_name):
    return models.ForeignKey(
        null=null,
        verbose_name=verbose_name,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="benchmark.layout",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("benchmark", "0005_block_check_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Layout",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("names", models.JSONField(verbose_name="namen")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="aangemaakt")),
            ],
            options={
                "verbose_name": "opslagindeling",
                "verbose_name_plural": "opslagindelingen",
            },
        ),
        migrations.RemoveField(model_name="windowblock", name="width"),
        # Percentile positions are no longer computed (docs/privacy.md rule 7): the table goes.
        migrations.DeleteModel(name="GroupPositions"),
        migrations.AddField("windowvalues", "layout", _layout(True, "indeling KPI-waarden")),
        migrations.AddField("windowvalues", "growth_layout", _layout(True, "indeling groei")),
        migrations.AddField("groupstatistics", "statistics", _layout(True, "indeling statistieken")),
        migrations.AddField("groupstatistics", "columns", _layout(True, "indeling KPI's")),
        migrations.AddField("windowblock", "layout", _layout(True, "indeling KPI-waarden")),
        migrations.AddField("windowblock", "growth_layout", _layout(True, "indeling groei")),
        migrations.RunPython(name_rows, migrations.RunPython.noop),
        migrations.AlterField("windowvalues", "layout", _layout(False, "indeling KPI-waarden")),
        migrations.AlterField("windowblock", "layout", _layout(False, "indeling KPI-waarden")),
        migrations.AlterField("windowblock", "growth_layout", _layout(False, "indeling groei")),
        migrations.AddIndex(
            model_name="windowvalues",
            index=models.Index(
                condition=models.Q(("growth__isnull", True)),
                fields=["year"],
                name="benchmark_wv_not_recomputed",
            ),
        ),
    ]
