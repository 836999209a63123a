from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_api_key_expiry')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Task',
            name='accept_legacy_token',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Template',
            name='accept_legacy_token',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
