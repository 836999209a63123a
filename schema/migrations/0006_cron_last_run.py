from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_message_traceparent')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CronJob',
            name='last_error',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
        ops.AddField(
            model_name='CronJob',
            name='last_message_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='CronJob',
            name='last_outcome',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
    ]
