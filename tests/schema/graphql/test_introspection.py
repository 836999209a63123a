"""The full introspection query GraphiQL and codegen tools send answers without an error.

graphql-core cannot write an object default of a custom scalar (`options: JSON = {}`) as a literal,
and failed the whole introspection query on it: GraphiQL showed no schema and no completion.
"""

from __future__ import annotations

from graphql import build_client_schema, get_introspection_query

from schema.graphql.build import build_schema


def test_the_full_introspection_query_succeeds() -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    result = build_schema().execute_sync(query)
    assert result.errors is None
    assert result.data is not None
    client_schema = build_client_schema(result.data)  # type: ignore[arg-type]
    assert "sendMessage" in client_schema.mutation_type.fields  # type: ignore[union-attr]
