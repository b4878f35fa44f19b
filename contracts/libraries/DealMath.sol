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
    /// it is, rather than re-encoded field by field, which costs ten times the gas.
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
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            IMarket.DealEnergyLot calldata lot = terms.energyLots[i];
            // Settlement checked every lot's hour inside the job's hours and its Wh within a uint64.
            unchecked {
                green[(lot.hour - terms.start) / Hours.SECONDS_PER_HOUR] += lot.wh;
            }
        }
    }

    /// @notice Whether a report is flagged: its energy is far from the declared profile, or its
    /// time-matched green share is below the bid's minimum (docs/carbon-accounting.md, "Flagged reports").
    /// @dev The report was checked against the terms (lengths, vcuPerHour ≤ vcu), so nothing overflows.
    /// @return outsideProfile |whConsumed − expectedWh| > expectedWh × ENERGY_TOLERANCE_BPS / 10,000
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
        for (uint256 h = 0; h < green.length; ++h) {
            uint256 metered = report.whPerHour[h];
            vcuHoursDelivered += report.vcuPerHour[h];
            whConsumed += metered;
            matchedGreenWh += green[h] < metered ? green[h] : metered;
        }
        expectedWh = (terms.needPerHourWh * vcuHoursDelivered) / terms.vcu;
        uint256 deviation = whConsumed > expectedWh ? whConsumed - expectedWh : expectedWh - whConsumed;
        outsideProfile = deviation > (expectedWh * ENERGY_TOLERANCE_BPS) / BPS;
        belowGreenMinimum = matchedGreenWh * BPS < whConsumed * terms.minGreenBps;
    }

    /// @notice Payouts, retirements and credits of a deal closing on `report`, with `acceptedBps` of
    /// the reported delivery accepted (10,000 unless an arbiter granted the buyer a refund share).
    /// @dev Compute and bandwidth are paid pro rata to the VCU-hours delivered. In each job hour h the
    /// retirable Wh are min(lots' Wh in h, metered Wh in h) × acceptedBps / 10,000; the lots of h
    /// retire in lot order up to it, each at most its Wh and what its supplier can deliver
    /// (`deliverable[i]`: its balance of the device-hour, 0 for a suspended device or a revoked
    /// approval, shared by lots of the same supplier and device-hour), and each is paid pro rata to the
    /// Wh it retired. The fee follows what suppliers are paid. Credits = Σ retired Wh × (grid factor −
    /// source factor) / 1000.
    function outcome(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint16 acceptedBps,
        uint256[] memory deliverable
    ) internal pure returns (IMarket.DealOutcome memory o) {
        o.acceptedBps = acceptedBps;
        uint256[] memory retirable = greenPerHour(terms);
        for (uint256 h = 0; h < retirable.length; ++h) {
            uint256 metered = report.whPerHour[h];
            o.vcuHoursDelivered += report.vcuPerHour[h];
            o.whConsumed += metered;
            retirable[h] = ((retirable[h] < metered ? retirable[h] : metered) * acceptedBps) / BPS;
        }
        uint256 deliveredShare = o.vcuHoursDelivered * acceptedBps;
        uint256 wholeShare = terms.vcu * terms.durationHours * BPS;
        o.computePaid = (terms.computePayment * deliveredShare) / wholeShare;
        o.bandwidthPaid = (terms.bandwidthPayment * deliveredShare) / wholeShare;
        (uint256 lotPayments, uint256 lotsPaid) = _retireLots(terms, retirable, deliverable, o);
        uint256 fullPayment = terms.computePayment + terms.bandwidthPayment + lotPayments;
        uint256 paid = o.computePaid + o.bandwidthPaid + lotsPaid;
        o.fee = fullPayment == 0 ? 0 : (terms.fee * paid) / fullPayment;
        // Settlement checked fullPayment + fee ≤ escrow, and paid ≤ fullPayment, so this cannot underflow.
        o.refund = terms.escrow - paid - o.fee;
    }

    /// @dev Retires the lots in order against each hour's retirable Wh and what their suppliers can
    /// deliver; fills `o.energyLots` and `o.credits`.
    /// @return lotPayments Σ lot payments at full delivery
    /// @return lotsPaid Σ what the lots are paid
    function _retireLots(
        IMarket.DealTerms calldata terms,
        uint256[] memory retirable,
        uint256[] memory deliverable,
        IMarket.DealOutcome memory o
    ) private pure returns (uint256 lotPayments, uint256 lotsPaid) {
        uint256 avoidedWhGrams = 0;
        o.energyLots = new IMarket.LotOutcome[](terms.energyLots.length);
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            IMarket.DealEnergyLot calldata lot = terms.energyLots[i];
            IMarket.LotOutcome memory lotOutcome = _retireLot(terms, i, retirable, deliverable);
            o.energyLots[i] = lotOutcome;
            lotPayments += lot.payment;
            lotsPaid += lotOutcome.paid;
            if (terms.gridFactor > lot.sourceFactor) {
                avoidedWhGrams += lotOutcome.retiredWh * (terms.gridFactor - lot.sourceFactor);
            }
        }
        o.credits = avoidedWhGrams / WH_PER_KWH;
    }

    /// @dev Lot `i`: at most its Wh, its hour's retirable Wh left, and what its supplier can deliver.
    function _retireLot(
        IMarket.DealTerms calldata terms,
        uint256 i,
        uint256[] memory retirable,
        uint256[] memory deliverable
    ) private pure returns (IMarket.LotOutcome memory lotOutcome) {
        IMarket.DealEnergyLot calldata lot = terms.energyLots[i];
        uint256 h = (lot.hour - terms.start) / Hours.SECONDS_PER_HOUR;
        uint256 share = lot.wh < retirable[h] ? lot.wh : retirable[h];
        uint256 retiredWh = share < deliverable[i] ? share : deliverable[i];
        retirable[h] -= retiredWh;
        _consumeDeliverable(terms, deliverable, i, retiredWh);
        lotOutcome.paid = (lot.payment * retiredWh) / lot.wh;
        lotOutcome.retiredWh = retiredWh;
        lotOutcome.undeliveredWh = share - retiredWh;
    }

    /// @dev Takes `retiredWh` off what lot `i`'s supplier can still deliver of its device-hour, for
    /// this lot and every later lot of the same supplier and device-hour (from another offer).
    function _consumeDeliverable(
        IMarket.DealTerms calldata terms,
        uint256[] memory deliverable,
        uint256 i,
        uint256 retiredWh
    ) private pure {
        IMarket.DealEnergyLot calldata lot = terms.energyLots[i];
        deliverable[i] -= retiredWh;
        for (uint256 j = i + 1; j < terms.energyLots.length; ++j) {
            IMarket.DealEnergyLot calldata later = terms.energyLots[j];
            if (later.deviceId == lot.deviceId && later.hour == lot.hour && later.supplier == lot.supplier) {
                deliverable[j] -= retiredWh;
            }
        }
    }
}
