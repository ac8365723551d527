from django.db import migrations

DEFAULT_CATEGORIES = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生", "农业农村", "其他"]


def create(apps, schema_editor):
    Category = apps.get_model("org", "Category")
    for i, name in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(parent=None, name=name, defaults={"sort": i})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
