"""Site pages operators write in the admin: About, Help, Terms, Privacy, Contact (the footer)."""
