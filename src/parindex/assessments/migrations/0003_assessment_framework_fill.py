from django.db import migrations


def fill_framework(apps, schema_editor):
    """Each assessment takes its round's framework; two assessments of one unit on the same
    framework (possible before this migration) must be resolved by hand first."""
    UnitAssessment = apps.get_model("assessments", "UnitAssessment")
    seen = {}
    for assessment in UnitAssessment.objects.select_related("round", "unit").order_by("id"):
        key = (assessment.round.framework_id, assessment.unit_id)
        if key in seen:
            raise RuntimeError(
                f"unit {assessment.unit.code} is assessed twice on the same framework "
                f"(assessments {seen[key]} and {assessment.pk}); delete one before migrating"
            )
        seen[key] = assessment.pk
        assessment.framework_id = assessment.round.framework_id
        assessment.save(update_fields=["framework"])



class Migration(migrations.Migration):
    """Data only: PostgreSQL refuses to alter a table with pending trigger events in the same
    transaction, so the schema change that follows is a migration of its own."""

    dependencies = [("assessments", "0002_gate_provenance_one_assessment")]

    operations = [
        migrations.RunPython(fill_framework, migrations.RunPython.noop),
    ]
