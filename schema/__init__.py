"""Everything the API and the workers share: models, GraphQL schema, channels, services, contracts."""
