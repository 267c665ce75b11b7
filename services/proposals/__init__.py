"""The proposals service (提案): what members put in writing to the committee, from solicitation to look-back,
plus public-opinion reports (社情民意信息). See README.md; the composition root is `proposals.app`."""
