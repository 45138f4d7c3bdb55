#!/usr/bin/env python3
"""Validate a file of OpenLineage RunEvents (JSON lines) against the OpenLineage JSON Schemas, offline.

validate_openlineage.py EVENTS.jsonl [--schemas DIR] [--strict] [--no-fetch] [-q]

Each non-blank line must be one RunEvent. Every event is checked against the core schema's
`#/$defs/RunEvent` (OpenLineage.json, spec 2-0-2), and every facet found under run.facets,
job.facets, inputs[].facets, inputs[].inputFacets, outputs[].facets and outputs[].outputFacets
is checked against ITS facet schema, picked by facet key (each facet schema file names its key:
schema -> SchemaDatasetFacet, columnLineage -> ColumnLineageDatasetFacet, sql -> SQLJobFacet,
version -> DatasetVersionDatasetFacet, ...). A known facet under the wrong container (e.g. `sql`
under a dataset) is an error too. Facets with keys no schema names (custom facets) get the core
check only (_producer and _schemaURL, both URIs). Formats are enforced: date-time (RFC 3339),
uri, uuid.

--strict adds checks that the spec states in prose but the JSON Schemas do not encode:
  the event's schemaURL is the core schema's `$id#/$defs/RunEvent`; each known facet's _schemaURL
  starts with its schema's `$id`; columnLineage transformation type is DIRECT|INDIRECT with subtype
  IDENTITY|TRANSFORMATION|AGGREGATION (DIRECT) or JOIN|GROUP_BY|FILTER|SORT|WINDOW|CONDITIONAL
  (INDIRECT); a dataset in namespace `file` has an absolute path as its name.

Prints one line per error: `event <index>: <json path>: <message>` (index counts events from 0;
line numbers are given when blank lines make them differ). Exit 0 when every event is valid,
1 when any is not, 2 when the schemas or the file cannot be read.

Where the schemas come from: no PyPI package ships OpenLineage's spec JSON Schemas (openlineage-python
carries only code generated from them). The official schemas, verbatim from OpenLineage release 1.50.0
(core 2-0-2), are vendored in the crates.io package datafusion-openlineage 0.0.12
(tests/schemas/openlineage/, Apache-2.0). The schema directory is the first of: --schemas DIR,
$OPENLINEAGE_SCHEMA_DIR, tests/lineage/schemas/ beside this script, that crate in cargo's registry
($CARGO_HOME or ~/.cargo). When none exists, the crate is fetched with `cargo info
datafusion-openlineage@0.0.12` (cargo downloads and unpacks the crate to read it) unless --no-fetch.
That crate lacks DatasetVersionDatasetFacet.json; when the directory lacks it too, the version facet
is checked against an equivalent schema built here from openlineage-python 1.54.0's generated
DatasetVersionDatasetFacet (facet 1-0-1: one required string property, datasetVersion).
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

CRATE = "datafusion-openlineage"
CRATE_VERSION = "0.0.12"
CRATE_SUBDIR = os.path.join("tests", "schemas", "openlineage")

# Which base facet type each facet container holds (the core schema's $defs names).
CONTAINERS = {
    "run.facets": "RunFacet",
    "job.facets": "JobFacet",
    "facets": "DatasetFacet",
    "inputFacets": "InputDatasetFacet",
    "outputFacets": "OutputDatasetFacet",
}
HOME_OF = {
    "RunFacet": "run.facets",
    "JobFacet": "job.facets",
    "DatasetFacet": "inputs[].facets / outputs[].facets",
    "InputDatasetFacet": "inputs[].inputFacets",
    "OutputDatasetFacet": "outputs[].outputFacets",
}
SUBTYPES = {
    "DIRECT": {"IDENTITY", "TRANSFORMATION", "AGGREGATION"},
    "INDIRECT": {"JOIN", "GROUP_BY", "FILTER", "SORT", "WINDOW", "CONDITIONAL"},
}


def dataset_version_schema(core_id):
    """DatasetVersionDatasetFacet 1-0-1, as openlineage-python 1.54.0's generated model states it."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json",
        "$defs": {
            "DatasetVersionDatasetFacet": {
                "allOf": [
                    {"$ref": f"{core_id}#/$defs/DatasetFacet"},
                    {
                        "type": "object",
                        "properties": {"datasetVersion": {"description": "The version of the dataset.", "type": "string"}},
                        "required": ["datasetVersion"],
                    },
                ],
                "type": "object",
            }
        },
        "type": "object",
        "properties": {"version": {"$ref": "#/$defs/DatasetVersionDatasetFacet"}},
    }


def cargo_registry_dirs():
    home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
    pattern = os.path.join(home, "registry", "src", "*", f"{CRATE}-{CRATE_VERSION}", CRATE_SUBDIR)
    return sorted(glob.glob(pattern))


def find_schema_dir(explicit, fetch):
    if explicit:
        if not os.path.isfile(os.path.join(explicit, "OpenLineage.json")):
            raise LookupError(f"no OpenLineage.json in {explicit}")
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("OPENLINEAGE_SCHEMA_DIR"), os.path.join(here, "schemas")]
    candidates += cargo_registry_dirs()
    for cand in candidates:
        if cand and os.path.isfile(os.path.join(cand, "OpenLineage.json")):
            return cand
    if fetch:
        with tempfile.TemporaryDirectory() as tmp:  # outside any Cargo workspace
            try:
                subprocess.run(["cargo", "info", "--quiet", f"{CRATE}@{CRATE_VERSION}"], cwd=tmp,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=300)
            except (OSError, subprocess.TimeoutExpired):
                pass  # no cargo, or no answer: reported below
        for cand in cargo_registry_dirs():
            if os.path.isfile(os.path.join(cand, "OpenLineage.json")):
                return cand
    raise LookupError("OpenLineage schemas not found; pass --schemas DIR or run "
                     f"`cargo info {CRATE}@{CRATE_VERSION}` (it unpacks the crate into cargo's registry)")


class Schemas:
    def __init__(self, directory):
        with open(os.path.join(directory, "OpenLineage.json")) as f:
            self.core = json.load(f)
        self.core_id = self.core["$id"]
        docs = [self.core]
        for path in sorted(glob.glob(os.path.join(directory, "facets", "*.json"))):
            with open(path) as f:
                docs.append(json.load(f))
        if not any(d.get("$id", "").endswith("/DatasetVersionDatasetFacet.json") for d in docs):
            docs.append(dataset_version_schema(self.core_id))
            self.built_in = ["DatasetVersionDatasetFacet"]
        else:
            self.built_in = []
        self.registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
        checker = Draft202012Validator.FORMAT_CHECKER

        def validator(schema):
            return Draft202012Validator(schema, registry=self.registry, format_checker=checker)

        self.event = validator({"$ref": f"{self.core_id}#/$defs/RunEvent"})
        # facet key -> (definition name, base type, schema $id, validator of the facet body)
        self.facets = {}
        for doc in docs[1:]:
            for key, ref in doc.get("properties", {}).items():
                name = ref["$ref"].rsplit("/", 1)[-1]
                definition = doc["$defs"][name]
                base = next((part["$ref"].rsplit("/", 1)[-1] for part in definition.get("allOf", [])
                             if part.get("$ref", "").startswith(self.core_id)), None)
                self.facets[key] = (name, base, doc["$id"], validator({"$ref": f"{doc['$id']}#/$defs/{name}"}))


def json_path(parts):
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if str(part).isidentifier() else f"[{json.dumps(part)}]")
    return out


def leaves(error):
    """The specific failures under an anyOf/oneOf, instead of 'is not valid under any of the given schemas'."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = {e.relative_schema_path[0] for e in error.context}
        chosen = error.context if len(branches) == 1 else [best_match(error.context)]
        for sub in chosen:
            yield from leaves(sub)
    else:
        yield error


def facet_containers(event):
    """(path prefix, container kind, facets dict) for every facet map in the event."""
    run, job = event.get("run"), event.get("job")
    if isinstance(run, dict) and isinstance(run.get("facets"), dict):
        yield ["run", "facets"], "run.facets", run["facets"]
    if isinstance(job, dict) and isinstance(job.get("facets"), dict):
        yield ["job", "facets"], "job.facets", job["facets"]
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        datasets = event.get(side)
        if not isinstance(datasets, list):
            continue
        for i, ds in enumerate(datasets):
            if not isinstance(ds, dict):
                continue
            for kind in ("facets", extra):
                if isinstance(ds.get(kind), dict):
                    yield [side, i, kind], kind, ds[kind]


def strict_checks(schemas, event):
    if isinstance(event.get("schemaURL"), str) and event["schemaURL"] != f"{schemas.core_id}#/$defs/RunEvent":
        yield ["schemaURL"], f"expected {schemas.core_id}#/$defs/RunEvent for spec {schemas.core_id.split('/')[-2]}"
    for side in ("inputs", "outputs"):
        for i, ds in enumerate(event.get(side) or []):
            if isinstance(ds, dict) and ds.get("namespace") == "file" and isinstance(ds.get("name"), str) \
                    and not ds["name"].startswith("/"):
                yield [side, i, "name"], "a dataset in namespace 'file' is named by its absolute path"
    for prefix, _, facets in facet_containers(event):
        for key, body in facets.items():
            if key in schemas.facets and isinstance(body, dict) and isinstance(body.get("_schemaURL"), str):
                schema_id = schemas.facets[key][2]
                if not body["_schemaURL"].startswith(schema_id):
                    yield prefix + [key, "_schemaURL"], f"expected {schema_id}#/$defs/{schemas.facets[key][0]}"
            if key != "columnLineage" or not isinstance(body, dict):
                continue
            groups = [(["fields", out, "inputFields"], spec.get("inputFields"))
                      for out, spec in (body.get("fields") or {}).items() if isinstance(spec, dict)]
            groups.append((["dataset"], body.get("dataset")))
            for where, inputs in groups:
                for j, field in enumerate(inputs if isinstance(inputs, list) else []):
                    trans = field.get("transformations") if isinstance(field, dict) else None
                    for k, t in enumerate(trans if isinstance(trans, list) else []):
                        if not isinstance(t, dict):
                            continue
                        at = prefix + [key] + where + [j, "transformations", k]
                        kind, sub = t.get("type"), t.get("subtype")
                        if kind not in SUBTYPES:
                            yield at + ["type"], f"{kind!r} is not DIRECT or INDIRECT"
                        elif sub is not None and sub not in SUBTYPES[kind]:
                            yield at + ["subtype"], f"{sub!r} is not a {kind} subtype ({', '.join(sorted(SUBTYPES[kind]))})"


def check_event(schemas, event, strict):
    found = []  # (path, message, what to deduplicate on)
    for error in schemas.event.iter_errors(event):
        for leaf in leaves(error):
            found.append((list(leaf.absolute_path), leaf.message, leaf.message))
    if isinstance(event, dict):
        for prefix, kind, facets in facet_containers(event):
            for key, body in facets.items():
                if key not in schemas.facets:
                    continue
                name, base, _, validator = schemas.facets[key]
                if base and base != CONTAINERS[kind]:
                    message = f"facet {key!r} is a {base} ({name}); it belongs under {HOME_OF[base]}"
                    found.append((prefix + [key], message, message))
                for error in validator.iter_errors(body):
                    for leaf in leaves(error):
                        found.append((prefix + [key] + list(leaf.absolute_path), f"{name}: {leaf.message}", leaf.message))
        if strict:
            found.extend((path, message, message) for path, message in strict_checks(schemas, event))
    # The core check and the facet check both see _producer/_schemaURL: report each failure once.
    seen, unique = set(), []
    for path, message, key in found:
        if (tuple(path), key) not in seen:
            seen.add((tuple(path), key))
            unique.append((path, message))
    return unique


def main():
    parser = argparse.ArgumentParser(description="Validate OpenLineage RunEvents (JSON lines) against the OpenLineage JSON Schemas.")
    parser.add_argument("events", help="file of RunEvents, one JSON object per line ('-' for stdin)")
    parser.add_argument("--schemas", help="directory holding OpenLineage.json and facets/*.json")
    parser.add_argument("--strict", action="store_true", help="also check rules the spec states only in prose")
    parser.add_argument("--no-fetch", action="store_true", help="never run cargo to fetch the schemas")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args()

    try:
        schemas = Schemas(find_schema_dir(args.schemas, not args.no_fetch))
        stream = sys.stdin if args.events == "-" else open(args.events, encoding="utf-8")
        with stream:
            lines = stream.read().splitlines()
    except (LookupError, OSError, ValueError) as exc:
        print(f"validate_openlineage: {exc}", file=sys.stderr)
        return 2

    index, bad, errors = 0, 0, 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"event {index}" + (f" (line {lineno})" if lineno != index + 1 else "")
        try:
            event = json.loads(line)
            problems = check_event(schemas, event, args.strict)
        except json.JSONDecodeError as exc:
            problems = [([], f"not JSON: {exc}")]
        for path, message in problems:
            print(f"{where}: {json_path(path)}: {message}")
        bad += bool(problems)
        errors += len(problems)
        index += 1
    if not args.quiet:
        note = f"; built in: {', '.join(schemas.built_in)}" if schemas.built_in else ""
        print(f"{index} events, {index - bad} valid, {bad} invalid ({errors} errors); "
              f"core {schemas.core_id}, {len(schemas.facets)} facet schemas{note}", file=sys.stderr)
    if index == 0:
        print("validate_openlineage: no events in the file", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
