//! Every event type survives the trip through its stored form: generated events of every kind,
//! with periods at and beyond the edges of the recorded years, extreme decimals, and long and
//! odd Unicode text, are written as the log writes them (type tag, schema version, payload,
//! JSON bytes) and parsed back equal.

mod events;
