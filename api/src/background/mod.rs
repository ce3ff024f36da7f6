//! Background work: the job runner (filled in below).
