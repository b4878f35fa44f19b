// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarket} from "../interfaces/IMarket.sol";

/// @title What a deal is stored as, and what it comes to when it closes
/// @notice A deal keeps only a 208-bit digest of its terms (and of its usage report once reported);
/// callers pass the terms and report back and the market checks them against the digest. The
/// outcome pays every supplier pro rata to delivery, rounding down, so whatever rounding leaves
/// over is refunded to the buyer and the escrow is always paid out exactly.
library DealMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WH_PER_KWH = 1000;
    /// @notice How far whConsumed may stray from the declared energy (energyNeededWh pro rata to the
    /// VCU-hours delivered) before the report is flagged: 25 %, wide enough for a facility's PUE
    /// drifting with the weather and a job's load, narrow enough to catch 0 Wh or 10× the energy.
    uint16 internal constant ENERGY_TOLERANCE_BPS = 2500;

    /// @notice Digest stored while the deal is Active.
    function termsDigest(IMarket.DealTerms calldata terms) internal pure returns (bytes26) {
        return bytes26(keccak256(abi.encode(terms)));
    }

    /// @notice Digest of terms already ABI-encoded (as `abi.encode(terms)`), the same as {termsDigest}.
    function encodedTermsDigest(bytes memory encodedTerms) internal pure returns (bytes26) {
        return bytes26(keccak256(encodedTerms));
    }

    /// @notice Digest stored once the compute supplier has reported; it chains on the terms' digest so
    /// that the terms are hashed only once per transaction.
    function reportDigest(bytes26 termsDigest_, IMarket.UsageReport calldata report) internal pure returns (bytes26) {
        return bytes26(keccak256(abi.encode(termsDigest_, report)));
    }

    /// @notice Whether a report is flagged: its energy is far from the declared profile, or the green
    /// share it retires is below the bid's minimum (docs/carbon-accounting.md, "Flagged reports").
    /// @dev Below the declared energy every lot retires its share pro rata, so the retired green share
    /// is the one settlement checked; only consumption above it dilutes the share.
    /// @return outsideProfile |whConsumed − expectedWh| > expectedWh × ENERGY_TOLERANCE_BPS / 10,000
    /// @return belowGreenMinimum Σ lot Wh / whConsumed < minGreenBps, when whConsumed > energyNeededWh
    /// @return expectedWh energyNeededWh × vcuDelivered / vcuHours
    function reportFlags(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint256 minGreenBps
    ) internal pure returns (bool outsideProfile, bool belowGreenMinimum, uint256 expectedWh) {
        // The report was checked against the terms (vcuDelivered ≤ vcuHours), so nothing overflows.
        expectedWh = (terms.energyNeededWh * report.vcuDelivered) / terms.vcuHours;
        uint256 whConsumed = report.whConsumed;
        uint256 deviation = whConsumed > expectedWh ? whConsumed - expectedWh : expectedWh - whConsumed;
        outsideProfile = deviation > (expectedWh * ENERGY_TOLERANCE_BPS) / BPS;
        if (whConsumed > terms.energyNeededWh) {
            uint256 greenWh = 0;
            for (uint256 i = 0; i < terms.energyLots.length; ++i) greenWh += terms.energyLots[i].wh;
            belowGreenMinimum = (greenWh * BPS) / whConsumed < minGreenBps;
        }
    }

    /// @notice Payouts, retirements and credits of a deal closing on `report`, with `acceptedBps` of
    /// the reported delivery accepted (10,000 unless an arbiter granted the buyer a refund share).
    /// @dev Compute and bandwidth are paid pro rata to VCU-hours delivered. Each energy lot retires its
    /// share of the green energy actually used (lot Wh × whConsumed / energyNeededWh, at most the lot)
    /// and is paid pro rata to the Wh retired; the rest of the lot goes back to its supplier. The fee
    /// follows what suppliers are paid. Credits = Σ retired Wh × (grid factor − source factor) / 1000.
    /// A lot marked in `suspendedLots` (its device suspended) retires nothing and is paid nothing:
    /// its Wh go back whole and its payment is refunded with the rest.
    function outcome(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint16 acceptedBps,
        bool[] memory suspendedLots
    ) internal pure returns (IMarket.DealOutcome memory o) {
        o.vcuDelivered = report.vcuDelivered;
        o.whConsumed = report.whConsumed;
        o.acceptedBps = acceptedBps;

        uint256 deliveredShare = report.vcuDelivered * acceptedBps;
        uint256 wholeShare = terms.vcuHours * BPS;
        o.computePaid = (terms.computePayment * deliveredShare) / wholeShare;
        o.bandwidthPaid = (terms.bandwidthPayment * deliveredShare) / wholeShare;

        uint256 fullPayment = terms.computePayment + terms.bandwidthPayment;
        uint256 paid = o.computePaid + o.bandwidthPaid;
        uint256 avoidedWhGrams;
        uint256 lotCount = terms.energyLots.length;
        o.energyLots = new IMarket.LotOutcome[](lotCount);
        for (uint256 i = 0; i < lotCount; ++i) {
            IMarket.DealEnergyLot calldata lot = terms.energyLots[i];
            uint256 retiredWh = suspendedLots[i] ? 0 : _retiredWh(lot.wh, terms, report, acceptedBps);
            uint256 lotPaid = (lot.payment * retiredWh) / lot.wh;
            o.energyLots[i] = IMarket.LotOutcome({paid: lotPaid, retiredWh: retiredWh, returnedWh: lot.wh - retiredWh});
            fullPayment += lot.payment;
            paid += lotPaid;
            if (terms.gridFactor > lot.sourceFactor) {
                avoidedWhGrams += retiredWh * (terms.gridFactor - lot.sourceFactor);
            }
        }
        o.credits = avoidedWhGrams / WH_PER_KWH;
        o.fee = fullPayment == 0 ? 0 : (terms.fee * paid) / fullPayment;
        // Settlement checked fullPayment + fee ≤ escrow, and paid ≤ fullPayment, so this cannot underflow.
        o.refund = terms.escrow - paid - o.fee;
    }

    /// @dev Wh a lot of `lotWh` retires: its share of the green energy used, times the accepted share.
    function _retiredWh(
        uint256 lotWh,
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint256 acceptedBps
    ) private pure returns (uint256) {
        // Comparing first keeps an absurd whConsumed from overflowing the product below.
        uint256 usedWh =
            report.whConsumed >= terms.energyNeededWh ? lotWh : (lotWh * report.whConsumed) / terms.energyNeededWh;
        return (usedWh * acceptedBps) / BPS;
    }
}
