from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_delivery_claimer_and_due_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Message',
            name='traceparent',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
