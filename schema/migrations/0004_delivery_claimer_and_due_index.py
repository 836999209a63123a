from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_inbox_senders_user_groups')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Delivery',
            name='claimed_by',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddIndex(
            model_name='Delivery',
            index=Index(fields=['next_attempt_at'], name='idx_deliveries_due'),
        ),
    ]
