import { graphql } from '@/gql'

/** The signed-in person as the session keeps it (see SessionUser in @/lib/session). */
export const SessionUserFragment = graphql(`
  fragment SessionUser on User { id username role mustChangePassword }
`)

export const MeDocument = graphql(`
  query Me {
    me { ...SessionUser }
  }
`)

// The session goes into an HttpOnly cookie (`cookie: true`); the answer carries no token.
export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password, cookie: true) {
      user { ...SessionUser }
    }
  }
`)

export const LogoutDocument = graphql(`
  mutation Logout { logout }
`)

export const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      user { ...SessionUser }
    }
  }
`)
