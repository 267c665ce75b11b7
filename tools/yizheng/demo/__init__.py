"""The demo county: a generated year of a county committee's work (`generator`), loaded into the running
platform through the services' own command APIs (`load`). `yizheng run` loads it into an empty database;
`yizheng demo load --committees N` loads N of them as separate committees."""
