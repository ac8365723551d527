"""The residents' SMS texts as first shipped (services/telling.py DEFAULTS, which is used when a row is missing).
Copied here so that later edits of the defaults do not change what this migration wrote."""

from django.db import migrations

TEXTS = [
    ('registered', '{station}已登记您反映的“{title}”，查询码{code}，办理的每一步都会短信告知您。'),
    ('put_on_agenda', '您反映的“{title}”已列入{station}本月会商议题。'),
    ('answered_on_spot', '您反映的“{title}”已由{station}当场答复。'),
    ('not_accepted', '您反映的“{title}”{station}未予受理，理由和建议反映的渠道请查看办理进度。'),
    ('village_handling', '经{station}会商，您反映的“{title}”由村两委办理，期限{due_date}。'),
    ('referred', '经{station}会商，您反映的“{title}”已转{unit}办理。'),
    ('to_suggestion', '经{station}会商，您反映的“{title}”将由人大代表形成代表建议。'),
    ('duplicate', '您反映的“{title}”与已登记的问题相同，已合并办理。'),
    ('not_feasible', '经{station}会商，您反映的“{title}”暂不具备办理条件，说明请查看办理进度。'),
    ('outcome_recorded', '您反映的“{title}”已有办理结果，欢迎查看并评价。'),
    ('suggestion_accepted', '您反映的“{title}”形成的代表建议已立案（{case_number}）。'),
    ('suggestion_assigned', '您反映的“{title}”形成的代表建议已交{unit}办理。'),
    ('suggestion_answered', '您反映的“{title}”形成的代表建议已由{unit}答复。'),
    ('suggestion_rehandling', '您反映的“{title}”形成的代表建议，代表对答复不满意，已交{unit}重新办理。'),
    ('suggestion_closed', '您反映的“{title}”形成的代表建议已办结，欢迎查看结果并评价。'),
    ('footer', '办理进度：{link} 不想再收短信可在该页面退订。'),
]


def create(apps, schema_editor):
    ResidentMessage = apps.get_model("opinions", "ResidentMessage")
    for step, text in TEXTS:
        ResidentMessage.objects.get_or_create(step=step, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("opinions", "0006_resident_sms")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
