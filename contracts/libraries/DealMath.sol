// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarket} from "../interfaces/IMarket.sol";
import {Hours} from "./Hours.sol";

/// @title What a deal is stored as, and what it comes to when it closes, hour by hour
/// @notice A deal keeps only a 200-bit digest of its terms (and of its usage report once reported);
/// callers pass the terms and report back and the market checks them against the digest. The
/// outcome pays every supplier pro rata to delivery, rounding down, so whatever rounding leaves
/// over is refunded to the buyer and the escrow is always paid out exactly
/// (docs/market-rules.md, "Finalisation"; docs/carbon-accounting.md, "Credits, hour by hour").
library DealMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WH_PER_KWH = 1000;
    /// @notice How far whConsumed may stray from the declared energy (needPerHourWh pro rata to the
    /// VCU-hours delivered) before the report is flagged: 25 %, wide enough for a facility's PUE
    /// drifting with the weather and a job's load, narrow enough to catch 0 Wh or 10× the energy.
    uint16 internal constant ENERGY_TOLERANCE_BPS = 2500;

    /// @dev abi.encode(terms) of DealTerms: its head of 22 words, whose 11th (energyLots) points right
    /// behind it, then the lots (length, then 7 words each). The same layout in calldata is hashed as
    /// it is, rather than re-encoded field by field, which costs ten times the gas; settlement writes
    /// it word by word (BatchSettlement).
    uint256 internal constant TERMS_HEAD_WORDS = 22;
    uint256 internal constant LOT_WORDS = 7;
    // TERMS_HEAD_WORDS × 32 and LOT_WORDS × 32, written with literals: assembly reads no other constants.
    uint256 private constant _TERMS_HEAD = 22 * 32;
    uint256 private constant _LOTS_OFFSET_WORD = 10 * 32;
    uint256 private constant _LOT_SIZE = 7 * 32;

    /// @notice Digest stored while the deal is Active: the first 25 bytes of keccak256(abi.encode(terms)).
    /// @dev Hashes the calldata bytes the terms were decoded from, after checking that they are laid
    /// out as abi.encode lays them out (the lots right behind the head). Terms passed in another layout
    /// hash to 0, which no deal stores, so the caller's digest check refuses them: whatever is hashed
    /// is exactly what the market reads.
    function termsDigest(IMarket.DealTerms calldata terms) internal pure returns (bytes25 digest) {
        uint256 size = _TERMS_HEAD + 32 + terms.energyLots.length * _LOT_SIZE;
        // Copies `size` calldata bytes to free memory without moving the free pointer (scratch use only).
        assembly ("memory-safe") {
            if eq(calldataload(add(terms, _LOTS_OFFSET_WORD)), _TERMS_HEAD) {
                let ptr := mload(0x40)
                mstore(ptr, 0x20)
                calldatacopy(add(ptr, 0x20), terms, size)
                digest := and(keccak256(ptr, add(size, 0x20)), not(0xffffffffffffff))
            }
        }
    }

    /// @notice Digest of terms already ABI-encoded (as `abi.encode(terms)`), the same as {termsDigest}.
    function encodedTermsDigest(bytes memory encodedTerms) internal pure returns (bytes25) {
        return bytes25(keccak256(encodedTerms));
    }

    /// @notice Digest stored once the compute supplier has reported: the first 25 bytes of
    /// keccak256(abi.encode(termsDigest_, report)); it chains on the terms' digest so that the terms
    /// are hashed only once per transaction.
    /// @dev Hashes the report's calldata bytes as {termsDigest} does, after checking the layout
    /// abi.encode gives (vcuPerHour right behind the 3-word head, whPerHour right behind it);
    /// another layout hashes to 0.
    function reportDigest(
        bytes25 termsDigest_,
        IMarket.UsageReport calldata report
    ) internal pure returns (bytes25 digest) {
        uint256 vcuSize = 32 + report.vcuPerHour.length * 32;
        uint256 size = 3 * 32 + vcuSize + 32 + report.whPerHour.length * 32;
        // Copies the report behind two scratch words at free memory without moving the free pointer.
        assembly ("memory-safe") {
            if and(eq(calldataload(report), 0x60), eq(calldataload(add(report, 0x20)), add(0x60, vcuSize))) {
                let ptr := mload(0x40)
                mstore(ptr, termsDigest_)
                mstore(add(ptr, 0x20), 0x40)
                calldatacopy(add(ptr, 0x40), report, size)
                digest := and(keccak256(ptr, add(size, 0x40)), not(0xffffffffffffff))
            }
        }
    }

    /// @notice The certificate id (device-hour) of a lot.
    function certificateIdOf(IMarket.DealEnergyLot calldata lot) internal pure returns (uint256) {
        return (lot.deviceId << 32) | Hours.indexOf(lot.hour);
    }

    /// @notice Σ lots' Wh in each job hour (index 0 = the hour starting at `terms.start`).
    function greenPerHour(IMarket.DealTerms calldata terms) internal pure returns (uint256[] memory green) {
        green = new uint256[](terms.durationHours);
        // The lots' calldata slice is taken once: each access through `terms` re-checks its offset.
        IMarket.DealEnergyLot[] calldata lots = terms.energyLots;
        for (uint256 i = 0; i < lots.length; ++i) {
            IMarket.DealEnergyLot calldata lot = lots[i];
            // Settlement checked every lot's hour inside the job's hours and its Wh within a uint64.
            unchecked {
                green[(lot.hour - terms.start) / Hours.SECONDS_PER_HOUR] += lot.wh;
            }
        }
    }

    /// @notice Whether a report is flagged: its energy is far from the declared profile, over the job
    /// or in any one hour, or its time-matched green share is below the bid's minimum
    /// (docs/carbon-accounting.md, "Reports far from the declared profile (flagged reports)").
    /// @dev The report was checked against the terms (lengths, vcuPerHour ≤ vcu), so nothing overflows.
    /// @return outsideProfile |whConsumed − expectedWh| > expectedWh × ENERGY_TOLERANCE_BPS / 10,000, or
    /// the same of some hour h: |whPerHour[h] − needPerHourWh × vcuPerHour[h] / vcu| beyond its tolerance
    /// @return belowGreenMinimum matchedGreenWh / whConsumed < minGreenBps
    /// @return expectedWh needPerHourWh × Σ vcuPerHour / vcu
    /// @return whConsumed Σ whPerHour
    /// @return matchedGreenWh Σ_h min(lots' Wh in h, whPerHour[h])
    function reportFlags(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report
    )
        internal
        pure
        returns (
            bool outsideProfile,
            bool belowGreenMinimum,
            uint256 expectedWh,
            uint256 whConsumed,
            uint256 matchedGreenWh
        )
    {
        uint256[] memory green = greenPerHour(terms);
        uint256 vcuHoursDelivered = 0;
        (uint32[] calldata vcuPerHour, uint64[] calldata whPerHour) = (report.vcuPerHour, report.whPerHour);
        (uint256 needPerHourWh, uint256 vcu) = (terms.needPerHourWh, terms.vcu);
        // Entries are below 2^64 (Wh) and 2^32 (VCU), needPerHourWh below 2^80 and at most 168 hours are
        // summed, so no sum or product here comes near 2^256.
        unchecked {
            for (uint256 h = 0; h < green.length; ++h) {
                uint256 metered = whPerHour[h];
                uint256 delivered = vcuPerHour[h];
                vcuHoursDelivered += delivered;
                whConsumed += metered;
                matchedGreenWh += green[h] < metered ? green[h] : metered;
                // Judged hour by hour too: energy moved out of the hours the lots cover (and into others)
                // would cut what those lots retire and are paid while the job's total still looks right.
                // In the same pass as the totals, so that each hour's entries are read from calldata once.
                if (!outsideProfile) outsideProfile = _outside(metered, (needPerHourWh * delivered) / vcu);
            }
        }
        expectedWh = (needPerHourWh * vcuHoursDelivered) / vcu;
        outsideProfile = outsideProfile || _outside(whConsumed, expectedWh);
        belowGreenMinimum = matchedGreenWh * BPS < whConsumed * terms.minGreenBps;
    }

    /// @notice What a deal closing on `report` delivered, with `acceptedBps` of the reported delivery
    /// accepted (10,000 unless an arbiter granted the buyer a refund share): fills `o`'s delivered
    /// totals and returns each job hour's retirable Wh, min(lots' Wh in h, metered Wh in h) ×
    /// acceptedBps / 10,000, the cap the hour's lots retire against (in lot order, each at most its Wh
    /// and what its supplier can deliver: {IGreenCertificates-retireForDeal}).
    function retirablePerHour(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint16 acceptedBps,
        IMarket.DealOutcome memory o
    ) internal pure returns (uint256[] memory retirable) {
        o.acceptedBps = acceptedBps;
        retirable = greenPerHour(terms);
        (uint32[] calldata vcuPerHour, uint64[] calldata whPerHour) = (report.vcuPerHour, report.whPerHour);
        uint256 vcuHoursDelivered = 0;
        uint256 whConsumed = 0;
        // Entries are below 2^64 (Wh) and 2^32 (VCU), at most 168 hours are summed and acceptedBps is
        // at most 10,000, so no sum or product here comes near 2^256.
        unchecked {
            for (uint256 h = 0; h < retirable.length; ++h) {
                uint256 metered = whPerHour[h];
                vcuHoursDelivered += vcuPerHour[h];
                whConsumed += metered;
                retirable[h] = ((retirable[h] < metered ? retirable[h] : metered) * acceptedBps) / BPS;
            }
        }
        o.vcuHoursDelivered = vcuHoursDelivered;
        o.whConsumed = whConsumed;
    }

    /// @notice Payouts and credits of a deal whose lots retired `retiredWh` against `retirable`
    /// (from {retirablePerHour}, consumed here): fills the rest of `o`.
    /// @dev Compute and bandwidth are paid pro rata to the VCU-hours delivered, each lot pro rata to the
    /// Wh it retired; a lot's share of its hour it could not retire is its undelivered Wh. The fee
    /// follows what suppliers are paid. Credits = Σ retired Wh × (grid factor − source factor) / 1000.
    /// Rounding down everywhere leaves the remainder to the buyer's refund, so the escrow is paid out
    /// exactly (docs/market-rules.md, "Finalisation").
    function payOut(
        IMarket.DealTerms calldata terms,
        uint256[] memory retirable,
        uint256[] memory retiredWh,
        IMarket.DealOutcome memory o
    ) internal pure {
        // The terms match the digest settle stored, so every amount is what settle allowed: payments and
        // fee within the escrow (a uint80 price × uint32 VCU × uint16 hours, below 2^128), Wh within
        // uint64, factors within uint16; the VCU-hours delivered are below 2^40 and acceptedBps at most
        // 10,000; each lot's retired Wh were checked against its hour in _payLot. No sum or product here
        // comes near 2^256 (the refund below stays checked: it is what conserves the escrow).
        uint256 fullPayment;
        uint256 paid;
        uint256 avoidedWhGrams = 0;
        IMarket.DealEnergyLot[] calldata lots = terms.energyLots;
        o.energyLots = new IMarket.LotOutcome[](lots.length);
        unchecked {
            uint256 deliveredShare = o.vcuHoursDelivered * o.acceptedBps;
            uint256 wholeShare = terms.vcu * terms.durationHours * BPS;
            o.computePaid = (terms.computePayment * deliveredShare) / wholeShare;
            o.bandwidthPaid = (terms.bandwidthPayment * deliveredShare) / wholeShare;
            fullPayment = terms.computePayment + terms.bandwidthPayment;
            paid = o.computePaid + o.bandwidthPaid;
            for (uint256 i = 0; i < lots.length; ++i) {
                IMarket.DealEnergyLot calldata lot = lots[i];
                IMarket.LotOutcome memory lotOutcome = o.energyLots[i];
                _payLot(terms.start, lot, retirable, retiredWh[i], lotOutcome);
                fullPayment += lot.payment;
                paid += lotOutcome.paid;
                if (terms.gridFactor > lot.sourceFactor) {
                    avoidedWhGrams += lotOutcome.retiredWh * (terms.gridFactor - lot.sourceFactor);
                }
            }
            o.credits = avoidedWhGrams / WH_PER_KWH;
            o.fee = fullPayment == 0 ? 0 : (terms.fee * paid) / fullPayment;
        }
        // Settlement checked fullPayment + fee ≤ escrow, and paid ≤ fullPayment, so this cannot underflow.
        o.refund = terms.escrow - paid - o.fee;
    }

    /// @dev A lot that retired `retired` Wh: paid pro rata to them; its share of its hour's retirable Wh
    /// it could not retire is undelivered.
    function _payLot(
        uint256 start,
        IMarket.DealEnergyLot calldata lot,
        uint256[] memory retirable,
        uint256 retired,
        IMarket.LotOutcome memory lotOutcome
    ) private pure {
        uint256 h = (lot.hour - start) / Hours.SECONDS_PER_HOUR;
        uint256 share = lot.wh < retirable[h] ? lot.wh : retirable[h];
        // The registry retires at most the lot's share of its hour (`share - retired` checks it).
        retirable[h] -= retired;
        lotOutcome.retiredWh = retired;
        lotOutcome.undeliveredWh = share - retired;
        lotOutcome.paid = (lot.payment * retired) / lot.wh;
    }

    /// @dev Whether `metered` Wh stray from `expected` by more than ENERGY_TOLERANCE_BPS of it
    /// (deviation × 10,000 > expected × 2,500 is the same test as deviation > ⌊expected × 2,500 /
    /// 10,000⌋ for whole Wh, without the division).
    function _outside(uint256 metered, uint256 expected) private pure returns (bool) {
        // The larger minus the smaller cannot underflow; both are below 2^120 (see reportFlags), so
        // neither product overflows.
        unchecked {
            uint256 deviation = metered > expected ? metered - expected : expected - metered;
            return deviation * BPS > expected * ENERGY_TOLERANCE_BPS;
        }
    }
}
