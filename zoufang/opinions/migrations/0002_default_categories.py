"""The default category list the city office starts from (it edits them in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("household", "户政", "户口,户籍,落户,迁移,身份证,居住证,出生登记,户政", 1, 5, 1),
    ("exit_entry", "出入境", "出入境,护照,港澳,通行证,签证,签注,出国", 1, 5, 1),
    ("vehicle", "车驾管", "驾驶证,驾照,车管,年检,行驶证,车牌,换证,考试,车驾管", 1, 5, 1),
    (
        "public_order",
        "治安",
        "治安,巡逻,盗窃,偷,噪音,扰民,出租屋,流动人口,打架,赌博,路灯,监控",
        1,
        5,
        1,
    ),
    ("traffic", "交通", "交通,停车,乱停,拥堵,红绿灯,路口,飙车,电动车,超速,护学", 1, 5, 1),
    ("criminal", "刑侦", "诈骗,刑事,破案,犯罪,电信诈骗,报案,立案", 1, 5, 1),
    ("service_window", "窗口服务", "窗口,排队,预约,办事,办证,自助,周末,流程,材料", 1, 5, 1),
    ("conduct", "队伍作风", "态度,作风,民警,接警,推诿,不作为,吃拿卡要,反馈", 1, 5, 1),
    ("other", "其他", "", 1, 5, 1),
]


def create(apps, schema_editor):
    Category = apps.get_model("opinions", "Category")
    for order, (code, name, keywords, accept, reply, urgent) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "keywords": keywords,
                "accept_days": accept,
                "reply_days": reply,
                "urgent_reply_days": urgent,
                "sort_order": order,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("opinions", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("opinions", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
