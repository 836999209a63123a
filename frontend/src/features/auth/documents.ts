import { graphql } from '@/gql'

/** The signed-in person as the session keeps it (see SessionUser in @/lib/session). */
export const SessionUserFragment = graphql(`
  fragment SessionUser on User { id username role }
`)

export const MeDocument = graphql(`
  query Me {
    me { ...SessionUser }
  }
`)

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      user { ...SessionUser }
    }
  }
`)

export const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      token
      user { ...SessionUser }
    }
  }
`)
