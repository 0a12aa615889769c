"""Photo and video consent: versioned notices per forum and the append-only consent ledger."""
