#!/usr/bin/python3
"""gen.py NAME prints ../../../ddl/aspnet-identity/NAME.sql; gen.py --write writes every one.

NAME is a driver (sqlserver, sqlite, postgres, mysql) for ASP.NET Core Identity, or
DRIVER.ef6 (sqlserver.ef6, sqlite.ef6) for ASP.NET Identity 2 on Entity Framework 6.

ASP.NET Core Identity: the CREATE TABLE and CREATE INDEX statements that EF Core's
migrations SQL generator writes for the project template's CreateIdentitySchema
migration (SqlServer/ and SqlLite/, copied from dotnet/aspnetcore; see PROVENANCE).
PostgreSQL (Npgsql) and MySQL (Pomelo) have no checked-in template migration: their
columns are the SQL Server migration's, typed by each provider's default mapping of the
column's CLR type and max length (PROVENANCE cites the mapping).

ASP.NET Identity 2: the tables EF6 Code First creates for IdentityDbContext's model
(ef6/, copied from aspnet/AspNetIdentity): each entity's properties in declaration order
(key first), typed by EF6's SQL Server conventions, with the lengths, required flags,
keys, unique indexes and foreign keys OnModelCreating configures, and the IX_<column>
index EF6 adds for every foreign key.

Standard library only; no network.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "..", "ddl", "aspnet-identity")
CORE = ["sqlserver", "sqlite", "postgres", "mysql"]
EF6 = ["sqlserver.ef6", "sqlite.ef6"]


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- EF Core

def parse_migration(src):
    """Returns (tables, indexes) of an EF Core migration's Up method."""
    up = src[src.index("void Up("):src.index("void Down(")]
    tables, indexes = [], []
    for m in re.finditer(r'migrationBuilder\.CreateTable\(\s*name: "(\w+)",\s*columns: table => new\s*\{(.*?)\},\s*'
                         r'constraints: table =>\s*\{(.*?)\n\s*\}\);', up, re.S):
        name, cols, cons = m.groups()
        columns = []
        for c in re.finditer(r'(\w+) = table\.Column<([\w\[\]]+)>\(((?:[^()"]|"[^"]*")*)\)(\s*\.Annotation\("([^"]+)", [^)]+\))?', cols):
            args = dict(re.findall(r'(\w+): ("[^"]*"|\w+)', c.group(3)))
            columns.append({
                "name": c.group(1), "clr": c.group(2), "type": args["type"].strip('"'),
                "max": int(args["maxLength"]) if "maxLength" in args else None,
                "null": args["nullable"] == "true", "identity": c.group(5) is not None,
            })
        pk = re.search(r'table\.PrimaryKey\("(\w+)", x => (?:new \{ )?([^)}]*?)(?: \})?\);', cons)
        fks = [{"name": f.group(1), "col": f.group(2), "table": f.group(3), "ref": f.group(4), "delete": f.group(5)}
               for f in re.finditer(r'table\.ForeignKey\(\s*name: "(\w+)",\s*column: x => x\.(\w+),\s*'
                                    r'principalTable: "(\w+)",\s*principalColumn: "(\w+)",\s*'
                                    r'onDelete: ReferentialAction\.(\w+)\);', cons)]
        tables.append({"name": name, "columns": columns, "pk": (pk.group(1), re.findall(r'x\.(\w+)', pk.group(2))),
                       "fks": fks})
    for m in re.finditer(r'migrationBuilder\.CreateIndex\((.*?)\);', up, re.S):
        args = dict(re.findall(r'(\w+): ("[^"]*"|\w+)', m.group(1)))
        indexes.append({"name": args["name"].strip('"'), "table": args["table"].strip('"'),
                        "col": args["column"].strip('"'), "unique": args.get("unique") == "true",
                        "filter": args["filter"].strip('"') if "filter" in args else None})
    return tables, indexes


def npgsql_type(c):
    """Npgsql's default mapping of a column of the SQL Server migration."""
    if c["clr"] == "string":
        return "character varying(%d)" % c["max"] if c["max"] else "text"
    return {"bool": "boolean", "int": "integer", "DateTimeOffset": "timestamp with time zone", "byte[]": "bytea"}[c["clr"]]


def pomelo_type(c):
    """Pomelo's default mapping of a column of the SQL Server migration: a string
    key or foreign key (nvarchar(450) on SQL Server) is varchar(255)."""
    if c["clr"] == "string":
        if c["max"]:
            return "varchar(%d)" % c["max"]
        return "varchar(255)" if c["type"] == "nvarchar(450)" else "longtext"
    if c["clr"] == "byte[]":
        return "varbinary(%d)" % c["max"]
    return {"bool": "tinyint(1)", "int": "int", "DateTimeOffset": "datetime(6)"}[c["clr"]]


class Dialect:
    def __init__(self, driver):
        self.driver = driver

    def q(self, name):
        return {"sqlserver": "[%s]", "mysql": "`%s`"}.get(self.driver, '"%s"') % name

    def qs(self, cols):
        return ", ".join(self.q(c) for c in cols)


def core_ddl(driver):
    src = read("SqlLite" if driver == "sqlite" else "SqlServer", "00000000000000_CreateIdentitySchema.cs")
    tables, indexes = parse_migration(src)
    d = Dialect(driver)
    out = []
    for t in tables:
        lines = []
        pk_name, pk_cols = t["pk"]
        inline_pk = driver == "sqlite" and len(pk_cols) == 1
        for c in t["columns"]:
            typ = {"postgres": npgsql_type, "mysql": pomelo_type}.get(driver, lambda c: c["type"])(c)
            if driver == "mysql" and c["clr"] == "string":
                typ += " CHARACTER SET utf8mb4"
            line = "%s %s" % (d.q(c["name"]), typ)
            if driver == "postgres":
                line += " NOT NULL" if not c["null"] else ""
            else:
                line += " NULL" if c["null"] else " NOT NULL"
            if c["identity"]:
                line += {"sqlserver": " IDENTITY", "postgres": " GENERATED BY DEFAULT AS IDENTITY",
                         "mysql": " AUTO_INCREMENT", "sqlite": ""}[driver]
            if inline_pk and c["name"] == pk_cols[0]:
                line += " CONSTRAINT %s PRIMARY KEY" % d.q(pk_name) + (" AUTOINCREMENT" if c["identity"] else "")
            lines.append(line)
        if not inline_pk:
            lines.append("CONSTRAINT %s PRIMARY KEY (%s)" % (d.q(pk_name), d.qs(pk_cols)))
        for f in t["fks"]:
            lines.append("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s" % (
                d.q(f["name"]), d.q(f["col"]), d.q(f["table"]), d.q(f["ref"]), f["delete"].upper()))
        tail = " CHARACTER SET=utf8mb4" if driver == "mysql" else ""
        out.append("CREATE TABLE %s (\n    %s\n)%s;" % (d.q(t["name"]), ",\n    ".join(lines), tail))
    for i in indexes:
        s = "CREATE %sINDEX %s ON %s (%s)" % ("UNIQUE " if i["unique"] else "", d.q(i["name"]), d.q(i["table"]), d.q(i["col"]))
        if i["filter"] and driver == "sqlserver":
            s += " WHERE " + i["filter"]
        out.append(s + ";")
    return out


CORE_SOURCE = {
    "sqlserver": "the migration's SQL Server column types",
    "sqlite": "the SQLite migration (Data/SqlLite) and its column types",
    "postgres": "the SQL Server migration's columns typed by Npgsql's default mapping",
    "mysql": "the SQL Server migration's columns typed by Pomelo's default mapping",
}

# ---------------------------------------------------------------- EF6

# Entities in the order EF6 reaches them from IdentityDbContext's sets (Users,
# Roles) and navigations, which is the order its initial migration creates them.
EF6_ENTITIES = [("TRole", "IdentityRole.cs"), ("TUserRole", "IdentityUserRole.cs"), ("TUser", "IdentityUser.cs"),
                ("TUserClaim", "IdentityUserClaim.cs"), ("TUserLogin", "IdentityUserLogin.cs")]


def ef6_model():
    ctx = read("ef6", "IdentityDbContext.OnModelCreating.cs")
    var_of = {}  # variable name -> entity type parameter
    for m in re.finditer(r'var (\w+) = modelBuilder\.Entity<(\w+)>\(\)', ctx):
        var_of[m.group(1)] = m.group(2)
    entities = []
    for param, fname in EF6_ENTITIES:
        src = read("ef6", fname)
        generic = src[src.rindex("public class"):]  # the generic base class holds the properties
        props = [(t, n) for t, n in re.findall(r'public (?:virtual )?([\w?<>]+) (\w+) \{ get;', generic)
                 if not t.startswith("ICollection")]
        table = re.search(r'Entity<%s>\(\)(?:\s*\.HasKey\([^;]*?\))?\s*\.ToTable\("(\w+)"\)' % param, ctx).group(1)
        key = re.search(r'Entity<%s>\(\)\s*\.HasKey\(\w+ => new \{ ([^}]*) \}\)' % param, ctx)
        keys = re.findall(r'\w+\.(\w+)', key.group(1)) if key else ["Id"]
        var = next((v for v, p in var_of.items() if p == param), None)
        conf = {}
        if var:
            for m in re.finditer(r'%s\.Property\(\w+ => \w+\.(\w+)\)([^;]*);' % var, ctx):
                conf[m.group(1)] = m.group(2)
        entities.append({"param": param, "table": table, "props": props, "keys": keys, "conf": conf})
    # Foreign keys: principal.HasMany(...).WithRequired().HasForeignKey(x => x.Col)
    fks = []
    for m in re.finditer(r'(\w+)\.HasMany\(\w+ => \w+\.(\w+)\)\.WithRequired\(\)\.HasForeignKey\(\w+ => \w+\.(\w+)\)', ctx):
        principal = var_of[m.group(1)]
        generic = read("ef6", dict(EF6_ENTITIES)[principal])
        nav_type = re.search(r'ICollection<(\w+)> %s \{' % m.group(2), generic).group(1)
        dependent = {"TRole": "TUserRole", "TClaim": "TUserClaim", "TLogin": "TUserLogin", "TUserRole": "TUserRole"}[nav_type]
        fks.append({"dependent": dependent, "principal": principal, "col": m.group(3)})
    return entities, fks


def ef6_ddl(driver):
    entities, fks = ef6_model()
    by_param = {e["param"]: e for e in entities}
    fk_cols = {(f["dependent"], f["col"]) for f in fks}
    sqlserver = driver == "sqlserver"
    schema = "[dbo]." if sqlserver else ""
    q = (lambda n: "[%s]" % n) if sqlserver else (lambda n: '"%s"' % n)
    out, alters = [], []
    for e in entities:
        props = dict((n, t) for t, n in e["props"])
        order = e["keys"] + [n for _, n in e["props"] if n not in e["keys"]]
        lines = []
        for n in order:
            t, conf = props[n], e["conf"].get(n, "")
            max_len = re.search(r'HasMaxLength\((\d+)\)', conf)
            required = "IsRequired()" in conf or n in e["keys"] or (e["param"], n) in fk_cols
            identity = n in e["keys"] and len(e["keys"]) == 1 and t == "int"
            if t in ("string", "TKey"):
                # A string key, or a foreign key to one, is nvarchar(128) (EF6's key length on SQL Server).
                length = "128" if t == "TKey" or n in e["keys"] else (max_len.group(1) if max_len else "max")
                typ = "nvarchar(%s)" % length
            else:
                typ = {"bool": "bit", "int": "int", "DateTime?": "datetime"}[t]
                required = required or not t.endswith("?")
            if identity and not sqlserver:
                typ = "INTEGER"  # SQLite's AUTOINCREMENT needs exactly INTEGER
            if sqlserver:
                typ = re.sub(r'^(\w+)', r'[\1]', typ)
            elif typ == "nvarchar(max)":
                typ = "nvarchar"  # SQLite's type names take a number, not max
            line = "%s %s" % (q(n), typ) + (" NOT NULL" if required else "")
            if identity:
                line += " IDENTITY" if sqlserver else " PRIMARY KEY AUTOINCREMENT"
            lines.append(line)
        if not (not sqlserver and len(e["keys"]) == 1 and props[e["keys"][0]] == "int"):
            lines.append("CONSTRAINT %s PRIMARY KEY (%s)" % (q("PK_dbo." + e["table"]), ", ".join(q(k) for k in e["keys"])))
        own_fks = [f for f in fks if f["dependent"] == e["param"]]
        if not sqlserver:  # SQLite cannot add a constraint later: declare it in the table
            for f in own_fks:
                p = by_param[f["principal"]]
                lines.append("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE CASCADE" % (
                    q("FK_dbo.%s_dbo.%s_%s" % (e["table"], p["table"], f["col"])), q(f["col"]), q(p["table"]), q("Id")))
        out.append("CREATE TABLE %s%s (\n    %s\n)" % (schema, q(e["table"]), ",\n    ".join(lines)))
        for n in order:
            idx = re.search(r'IndexAttribute\("(\w+)"\)( \{ IsUnique = true \})?', e["conf"].get(n, ""))
            if idx:
                out.append("CREATE %sINDEX %s ON %s%s(%s)" % ("UNIQUE " if idx.group(2) else "", q(idx.group(1)),
                                                             schema, q(e["table"]), q(n)))
        for f in own_fks:
            name = q("IX_" + f["col"]) if sqlserver else q("IX_%s_%s" % (e["table"], f["col"]))
            out.append("CREATE INDEX %s ON %s%s(%s)" % (name, schema, q(e["table"]), q(f["col"])))
        if sqlserver:
            for f in own_fks:
                p = by_param[f["principal"]]
                alters.append("ALTER TABLE %s%s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s%s (%s) ON DELETE CASCADE" % (
                    schema, q(e["table"]), q("FK_dbo.%s_dbo.%s_%s" % (e["table"], p["table"], f["col"])), q(f["col"]),
                    schema, q(p["table"]), q("Id")))
    return [s + ";" for s in out + alters]


# ---------------------------------------------------------------- output

MIGRATED = {
    "sqlserver": 'ALTER TABLE [AspNetUsers] ADD [ferry_migrated_at] datetime2 NULL;',
    "sqlite": 'ALTER TABLE "AspNetUsers" ADD COLUMN "ferry_migrated_at" TEXT NULL;',
    "postgres": 'ALTER TABLE "AspNetUsers" ADD "ferry_migrated_at" timestamp with time zone NULL;',
    "mysql": 'ALTER TABLE `AspNetUsers` ADD `ferry_migrated_at` datetime(6) NULL;',
}


def render(name):
    driver, _, variant = name.partition(".")
    if variant == "ef6":
        stmts = ef6_ddl(driver)
        head = ["-- Source: ASP.NET Identity 2 (Microsoft.AspNet.Identity.EntityFramework 2.x, EF6),",
                "-- aspnet/AspNetIdentity src/Microsoft.AspNet.Identity.EntityFramework: IdentityDbContext's model",
                "-- as EF6 Code First creates it on %s (see testdata/frameworks/aspnet-identity/PROVENANCE)." % (
                    "SQL Server" if driver == "sqlserver" else
                    "SQLite: EF6 ships no SQLite migrations; the same model with SQLite's type names")]
    elif name in CORE:
        stmts = core_ddl(driver)
        head = ["-- Source: ASP.NET Core Identity 10 project template, dotnet/aspnetcore",
                "-- src/ProjectTemplates/.../Data/{SqlServer,SqlLite}/00000000000000_CreateIdentitySchema.cs:",
                "-- %s (see testdata/frameworks/aspnet-identity/PROVENANCE)." % CORE_SOURCE[driver]]
    else:
        raise SystemExit("gen.py: unknown DDL %r (want one of %s)" % (name, ", ".join(CORE + EF6)))
    head.append("-- Generated by internal/source/sqlsource/testdata/frameworks/aspnet-identity/gen.py %s." % name)
    tail = ["-- Ferry: the write-back column of the preset's mark_migrated (not ASP.NET Identity's).", MIGRATED[driver]]
    return "\n".join(head) + "\n" + "\n".join(stmts) + "\n" + "\n".join(tail) + "\n"


def main(argv):
    if argv == ["--write"]:
        for name in CORE + EF6:
            with open(os.path.join(OUT, name + ".sql"), "w", encoding="utf-8") as f:
                f.write(render(name))
        return
    if len(argv) != 1:
        raise SystemExit("usage: gen.py NAME | gen.py --write")
    sys.stdout.write(render(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
