from django.db import migrations


# The dossier register is the one table that grows to millions of rows: on PostgreSQL it is
# partitioned by the year of reception (declarative partitioning), so a year's indicators read
# one partition and an old year can be detached or archived whole. The table migration 0001 created is
# empty here; it is rebuilt as a partitioned table with the same columns. The primary key and
# the unique key include the partition key, as PostgreSQL requires. Years outside the yearly
# partitions land in the default partition (still correct, only not pruned).
FIRST_YEAR, LAST_YEAR = 2015, 2040


def partition_dossiers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        "ALTER TABLE registers_dossier RENAME TO registers_dossier_plain",
        "CREATE TABLE registers_dossier (LIKE registers_dossier_plain INCLUDING DEFAULTS "
        "INCLUDING IDENTITY INCLUDING CONSTRAINTS) PARTITION BY RANGE (year)",
        "DROP TABLE registers_dossier_plain",
        "ALTER TABLE registers_dossier ADD PRIMARY KEY (id, year)",
        "ALTER TABLE registers_dossier ADD CONSTRAINT registers_dossier_unique_code "
        "UNIQUE (unit_id, year, code)",
        "ALTER TABLE registers_dossier ADD CONSTRAINT registers_dossier_unit_fk "
        "FOREIGN KEY (unit_id) REFERENCES units_unit (id) DEFERRABLE INITIALLY DEFERRED",
        "CREATE INDEX registers_dossier_received ON registers_dossier (unit_id, received_on)",
        "CREATE INDEX registers_dossier_ended ON registers_dossier (unit_id, ended_on)",
        "CREATE INDEX registers_dossier_code ON registers_dossier (code)",
        "CREATE TABLE registers_dossier_default PARTITION OF registers_dossier DEFAULT",
    ]
    statements += [
        f"CREATE TABLE registers_dossier_y{year} PARTITION OF registers_dossier "
        f"FOR VALUES FROM ({year}) TO ({year + 1})"
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    ]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)



class Migration(migrations.Migration):
    dependencies = [("registers", "0001_initial")]

    operations = [
        migrations.RunPython(partition_dossiers, migrations.RunPython.noop, elidable=False),
    ]
