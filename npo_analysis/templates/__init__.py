"""nbconvert templates of the reports (package data; see :mod:`npo_analysis.batch.html`)."""
