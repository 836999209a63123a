import { graphql } from '@/gql'

export const MeDocument = graphql(`
  query Me {
    me { id username role }
  }
`)

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      user { id username role }
    }
  }
`)

export const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      token
      user { id username role }
    }
  }
`)
