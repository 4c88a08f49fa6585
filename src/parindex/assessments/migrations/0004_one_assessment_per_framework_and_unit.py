import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("assessments", "0003_assessment_framework_fill")]

    operations = [
        migrations.AlterField(
            model_name='unitassessment',
            name='framework',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='frameworks.framework', verbose_name='framework'),
        ),
        migrations.AddConstraint(
            model_name='unitassessment',
            constraint=models.UniqueConstraint(fields=('framework', 'unit'), name='one_assessment_per_framework_and_unit'),
        ),
    ]
