"""What the browser tests share."""

PASSWORD = "correct horse battery"  # every test user's
