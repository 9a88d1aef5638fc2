"""The directory of users and the Jira Cloud platform routes that search it (`models`: the
directory; `responses`: `/rest/api/3/user/search`, `/rest/api/3/user` and `/_emulator/users`)."""
