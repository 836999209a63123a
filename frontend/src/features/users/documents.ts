import { graphql } from '@/gql'

export const UsersListDocument = graphql(`
  query UsersList($first: Int, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id username role isActive createdAt lastLoginAt } }
    }
  }
`)

export const CreateUserDocument = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { id username role isActive createdAt lastLoginAt }
  }
`)

export const UpdateUserDocument = graphql(`
  mutation UpdateUser($id: Int!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) { id username role isActive createdAt lastLoginAt }
  }
`)
