import { graphql } from '@/gql'

/** A user as the list shows it. */
export const UserFieldsFragment = graphql(`
  fragment UserFields on User { id username role isActive groups createdAt lastLoginAt }
`)

export const UsersListDocument = graphql(`
  query UsersList($first: Int, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...UserFields } }
    }
  }
`)

export const CreateUserDocument = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { ...UserFields }
  }
`)

export const UpdateUserDocument = graphql(`
  mutation UpdateUser($id: Int!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) { ...UserFields }
  }
`)
