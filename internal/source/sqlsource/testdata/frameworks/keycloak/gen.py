#!/usr/bin/python3
"""gen.py DRIVER prints ../../../ddl/keycloak/DRIVER.sql; gen.py --write writes every driver's.

DRIVER: postgres, mysql (MySQL and MariaDB) or sqlserver.

Keycloak creates its tables with Liquibase, from the changelogs here (jpa-changelog-master.xml
and the files it includes; see PROVENANCE). This interprets, in the master's order and through
Keycloak 26.6.0's own changelog, every changeset that changes REALM, USER_ENTITY or CREDENTIAL,
as Liquibase runs it on a new database of that kind:

  - a changeset's dbms attribute and its preConditions (dbms, not/and/or, changeSetExecuted,
    columnExists, indexExists) decide whether it runs; a failed precondition marks it ran;
  - createTable, addColumn, dropColumn, renameColumn, modifyDataType, addNotNullConstraint,
    dropNotNullConstraint, dropDefaultValue, addPrimaryKey, dropPrimaryKey, addUniqueConstraint,
    dropUniqueConstraint, createIndex, dropIndex, addForeignKeyConstraint and
    dropForeignKeyConstraint change the three tables; data changes (update, delete, sql,
    customChange) and changes to other tables are passed over;
  - Liquibase's type mapping per database (TYPES below), and its modifyDataType, which on MySQL
    (ALTER ... MODIFY) and SQL Server (ALTER COLUMN) leaves the column nullable with no default.

It prints the three tables as they stand afterwards: PostgreSQL folds Liquibase's unquoted
names to lower case; MySQL/MariaDB and SQL Server keep them upper-case, as Liquibase wrote them.
Standard library only; no network.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "..", "ddl", "keycloak")
NS = "{http://www.liquibase.org/xml/ns/dbchangelog}"
TABLES = ("REALM", "USER_ENTITY", "CREDENTIAL")
# The release: its own changelog is the last one applied.
RELEASE, THROUGH = "26.6.0", "META-INF/jpa-changelog-26.6.0.xml"
DBMS = {"postgres": "postgresql", "mysql": "mysql", "sqlserver": "mssql"}

# Liquibase's database types for the changelogs' types (liquibase.datatype.core).
TYPES = {
    "postgresql": {"VARCHAR": "VARCHAR(%s)", "NVARCHAR": "VARCHAR(%s)", "BOOLEAN": "BOOLEAN", "INT": "INTEGER",
                   "BIGINT": "BIGINT", "CLOB": "TEXT", "NCLOB": "TEXT", "TINYBLOB": "BYTEA", "BLOB": "BYTEA"},
    "mysql": {"VARCHAR": "VARCHAR(%s)", "NVARCHAR": "NVARCHAR(%s)", "BOOLEAN": "BIT(1)", "INT": "INT",
              "BIGINT": "BIGINT", "CLOB": "LONGTEXT", "NCLOB": "LONGTEXT", "TINYBLOB": "TINYBLOB", "BLOB": "LONGBLOB"},
    "mssql": {"VARCHAR": "varchar(%s)", "NVARCHAR": "nvarchar(%s)", "BOOLEAN": "bit", "INT": "int",
              "BIGINT": "bigint", "CLOB": "varchar(MAX)", "NCLOB": "nvarchar(MAX)", "TINYBLOB": "varbinary(%s)",
              "BLOB": "varbinary(MAX)"},
}


def db_type(dbms, lb_type):
    m = re.fullmatch(r"(\w+)(?:\((\d+)\))?", lb_type.strip().upper())
    if not m or m.group(1) not in TYPES[dbms]:
        raise SystemExit("gen.py: no %s mapping for Liquibase type %r" % (dbms, lb_type))
    t = TYPES[dbms][m.group(1)]
    return t % m.group(2) if "%s" in t else t


class Column:
    def __init__(self, el):
        self.name = el.get("name").upper()
        self.type = el.get("type")
        self.nullable = True
        self.default = default_of(el)
        c = el.find(NS + "constraints")
        self.pk = c is not None and c.get("primaryKey") == "true"
        self.pk_name = c.get("primaryKeyName") if c is not None else None
        if c is not None and c.get("nullable") == "false" or self.pk:
            self.nullable = False


def default_of(el):
    if el.get("defaultValueBoolean") is not None:
        return ("bool", el.get("defaultValueBoolean") == "true")
    if el.get("defaultValueNumeric") is not None:
        return ("num", el.get("defaultValueNumeric"))
    if el.get("defaultValue") is not None:
        return ("str", el.get("defaultValue"))
    return None


class Schema:
    def __init__(self, dbms):
        self.dbms = dbms
        self.tables = {}  # name -> {"cols": [Column], "pk": (name, [cols]) | None}
        self.uniques = {}  # name -> (table, [cols])
        self.indexes = {}  # name -> (table, [cols], unique)
        self.fks = {}  # name -> (table, [cols], ref table, [ref cols])
        self.executed = set()

    def col(self, table, name):
        for c in self.tables[table]["cols"]:
            if c.name == name.upper():
                return c
        raise SystemExit("gen.py: %s has no column %s" % (table, name))

    # ---- preconditions
    def holds(self, el):
        tag = el.tag[len(NS):]
        kids = [k for k in el if isinstance(k.tag, str)]
        if tag in ("preConditions", "and"):
            return all(self.holds(k) for k in kids)
        if tag == "or":
            return any(self.holds(k) for k in kids)
        if tag == "not":
            return not all(self.holds(k) for k in kids)
        if tag == "dbms":
            return self.dbms in [t.strip() for t in el.get("type").split(",")]
        if tag == "changeSetExecuted":
            return (el.get("changeLogFile"), el.get("id"), el.get("author")) in self.executed
        if tag == "columnExists":
            t = el.get("tableName").upper()
            return t in self.tables and any(c.name == el.get("columnName").upper() for c in self.tables[t]["cols"])
        if tag == "indexExists":
            return el.get("indexName").upper() in self.indexes
        raise SystemExit("gen.py: precondition %s is not interpreted" % tag)

    # ---- changes
    def apply(self, ch):
        tag = ch.tag[len(NS):]
        table = (ch.get("tableName") or ch.get("baseTableName") or "").upper()
        if table not in TABLES:
            return
        cols = lambda attr: [c.strip().upper() for c in ch.get(attr).split(",")]
        if tag == "createTable":
            self.tables[table] = {"cols": [], "pk": None}
            self.add_columns(table, ch)
        elif tag == "addColumn":
            self.add_columns(table, ch)
        elif tag == "dropColumn":
            name = ch.get("columnName").upper()
            self.tables[table]["cols"] = [c for c in self.tables[table]["cols"] if c.name != name]
            for reg in (self.indexes, self.uniques):
                for k in [k for k, v in reg.items() if v[0] == table and name in v[1]]:
                    del reg[k]
        elif tag == "renameColumn":
            c, new = self.col(table, ch.get("oldColumnName")), ch.get("newColumnName").upper()
            old = c.name
            c.name = new
            for reg in (self.indexes, self.uniques, self.fks):
                for v in reg.values():
                    if v[0] == table:
                        v[1][:] = [new if x == old else x for x in v[1]]
        elif tag == "modifyDataType":
            c = self.col(table, ch.get("columnName"))
            c.type = ch.get("newDataType")
            if self.dbms in ("mysql", "mssql"):  # MODIFY / ALTER COLUMN restate the column without NOT NULL
                pk = self.tables[table]["pk"]
                c.nullable = not (pk and c.name in pk[1])
                if self.dbms == "mysql":
                    c.default = None
        elif tag == "addNotNullConstraint":
            self.col(table, ch.get("columnName")).nullable = False
        elif tag == "dropNotNullConstraint":
            self.col(table, ch.get("columnName")).nullable = True
        elif tag == "dropDefaultValue":
            self.col(table, ch.get("columnName")).default = None
        elif tag == "addPrimaryKey":
            self.tables[table]["pk"] = (ch.get("constraintName") or "PK_" + table, cols("columnNames"))
            for n in cols("columnNames"):
                self.col(table, n).nullable = False
        elif tag == "dropPrimaryKey":
            self.tables[table]["pk"] = None
        elif tag == "addUniqueConstraint":
            self.uniques[ch.get("constraintName").upper()] = (table, cols("columnNames"))
        elif tag == "dropUniqueConstraint":
            del self.uniques[ch.get("constraintName").upper()]
        elif tag == "createIndex":
            names = [c.get("name").upper() for c in ch.findall(NS + "column")]
            self.indexes[ch.get("indexName").upper()] = (table, names, ch.get("unique") == "true")
        elif tag == "dropIndex":
            del self.indexes[ch.get("indexName").upper()]
        elif tag == "addForeignKeyConstraint":
            ref = ch.get("referencedTableName").upper()
            if ref in TABLES:  # a foreign key to a table outside the three is left out with that table
                self.fks[ch.get("constraintName").upper()] = (table, cols("baseColumnNames"), ref,
                                                             cols("referencedColumnNames"))
        elif tag == "dropForeignKeyConstraint":
            self.fks.pop(ch.get("constraintName").upper(), None)
        elif tag in ("update", "delete", "sql", "customChange", "modifySql", "comment", "validCheckSum"):
            pass
        else:
            raise SystemExit("gen.py: change %s on %s is not interpreted" % (tag, table))

    def add_columns(self, table, ch):
        t = self.tables[table]
        for el in ch.findall(NS + "column"):
            c = Column(el)
            t["cols"].append(c)
            if c.pk:
                t["pk"] = (c.pk_name or "PK_" + table, [c.name])


def run(driver):
    s = Schema(DBMS[driver])
    master = ET.parse(os.path.join(HERE, "jpa-changelog-master.xml")).getroot()
    for inc in master.iter(NS + "include"):
        name = inc.get("file")
        path = os.path.join(HERE, os.path.basename(name))
        if os.path.exists(path):  # only the changelogs that change the three tables are kept here
            for cs in ET.parse(path).getroot().iter(NS + "changeSet"):
                key = (name, cs.get("id"), cs.get("author"))
                if cs.get("dbms") and s.dbms not in [d.strip() for d in cs.get("dbms").split(",")]:
                    continue
                pre = cs.find(NS + "preConditions")
                # A changeset that leaves the three tables alone only counts as
                # ran (for changeSetExecuted); its preconditions, which may ask
                # about tables not modelled here, are not evaluated.
                touches = any((c.get("tableName") or c.get("baseTableName") or "").upper() in TABLES for c in cs)
                if pre is not None and touches and not s.holds(pre):
                    s.executed.add(key)  # onFail="MARK_RAN"
                    continue
                for ch in cs:
                    if isinstance(ch.tag, str) and ch.tag != NS + "preConditions":
                        s.apply(ch)
                s.executed.add(key)
        if name == THROUGH:
            return s
    raise SystemExit("gen.py: %s is not in jpa-changelog-master.xml" % THROUGH)


def render(driver):
    s = run(driver)
    pg = driver == "postgres"
    n = (lambda x: x.lower()) if pg else (lambda x: x)
    lit = {"postgresql": {True: "TRUE", False: "FALSE"}}.get(s.dbms, {True: "1", False: "0"})
    out = []
    for tname in TABLES:
        t = s.tables[tname]
        lines = []
        for c in t["cols"]:
            line = "%s %s" % (n(c.name), db_type(s.dbms, c.type))
            if c.default is not None:
                kind, v = c.default
                line += " DEFAULT " + (lit[v] if kind == "bool" else v if kind == "num" else "'%s'" % v)
            line += " NULL" if c.nullable else " NOT NULL"
            lines.append(line)
        if t["pk"]:
            lines.append("CONSTRAINT %s PRIMARY KEY (%s)" % (n(t["pk"][0]), ", ".join(n(x) for x in t["pk"][1])))
        out.append("CREATE TABLE %s (\n    %s\n);" % (n(tname), ",\n    ".join(lines)))
        for name, (tb, cols) in sorted(s.uniques.items()):
            if tb == tname:
                out.append("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s);" % (n(tb), n(name), ", ".join(n(x) for x in cols)))
        for name, (tb, cols, uniq) in sorted(s.indexes.items()):
            if tb == tname:
                out.append("CREATE %sINDEX %s ON %s (%s);" % ("UNIQUE " if uniq else "", n(name), n(tb),
                                                              ", ".join(n(x) for x in cols)))
    for name, (tb, cols, ref, rcols) in sorted(s.fks.items()):
        out.append("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s);" % (
            n(tb), n(name), ", ".join(n(x) for x in cols), n(ref), ", ".join(n(x) for x in rcols)))
    ts = {"postgres": "TIMESTAMP", "mysql": "DATETIME(6)", "sqlserver": "datetime2"}[driver]
    head = ["-- Source: Keycloak %s, model/jpa/src/main/resources/META-INF/jpa-changelog-*.xml (Liquibase): the" % RELEASE,
            "-- REALM, USER_ENTITY and CREDENTIAL tables as those changesets leave them on %s" % {
                "postgres": "PostgreSQL", "mysql": "MySQL/MariaDB", "sqlserver": "SQL Server"}[driver],
            "-- (see testdata/frameworks/keycloak/PROVENANCE).",
            "-- Generated by internal/source/sqlsource/testdata/frameworks/keycloak/gen.py %s." % driver]
    tail = ["-- Ferry: the write-back column of the preset's mark_migrated (not Keycloak's).",
            "ALTER TABLE %s ADD %s %s NULL;" % (n("USER_ENTITY"), "ferry_migrated_at", ts)]
    return "\n".join(head + out + tail) + "\n"


def main(argv):
    if argv == ["--write"]:
        for d in DBMS:
            with open(os.path.join(OUT, d + ".sql"), "w", encoding="utf-8") as f:
                f.write(render(d))
    elif len(argv) == 1 and argv[0] in DBMS:
        sys.stdout.write(render(argv[0]))
    else:
        raise SystemExit("usage: gen.py postgres|mysql|sqlserver | gen.py --write")


if __name__ == "__main__":
    main(sys.argv[1:])
