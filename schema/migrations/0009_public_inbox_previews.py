from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_legacy_token_switch')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboxItem',
            name='preview_key',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Message',
            name='preview_key',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
    ]
