"""Django's SQLite back-end, which makes the database's directory on the first connection.

Not when the settings are read: a command that only reads never connects to a database file
that does not exist (`commands.database_missing`), so it creates no directory either; a
command that writes (`demo`, `migrate`, an import, `serve`) connects and gets one."""

from pathlib import Path

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database") or "")
        if name and name != ":memory:" and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
