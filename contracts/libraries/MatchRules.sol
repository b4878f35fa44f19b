// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMarket} from "../interfaces/IMarket.sol";

/// @title The limits a match must respect, read from the orders themselves (docs/security.md)
/// @notice Pure checks used by `Market.settle`. Each returns the first reason the match breaks an
/// order's limit, or `SkipReason.None`. Reserve costs round up and the fee rounds down, so rounding
/// never lets a payment fall below a supplier's reserve nor the total rise above a buyer's limit.
library MatchRules {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PUE_SCALE = 1000;
    uint256 internal constant WH_PER_KWH = 1000;
    uint256 internal constant SECONDS_PER_HOUR = 3600;

    /// @notice Facility energy the VCU-hours need: vcuHours × whPerVcuHour × pueMilli / 1000.
    function energyNeededWh(uint256 vcuHours, uint256 whPerVcuHour, uint256 pueMilli) internal pure returns (uint256) {
        return (vcuHours * whPerVcuHour * pueMilli) / PUE_SCALE;
    }

    /// @notice The bid and the compute offer: availability, quantity, class, window, region and reserve.
    function checkCompute(
        IMarket.Match calldata m,
        IMarket.Bid memory bid,
        IMarket.ComputeOffer memory offer,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        if (m.vcuHours == 0) return IMarket.SkipReason.ZeroQuantity;
        if (bid.remainingVcuHours == 0) return IMarket.SkipReason.BidNotOpen;
        if (currentTime >= bid.expiry) return IMarket.SkipReason.BidExpired;
        if (m.vcuHours > bid.remainingVcuHours) return IMarket.SkipReason.BidQuantityExceeded;
        if (offer.remainingVcuHours == 0) return IMarket.SkipReason.ComputeOfferNotOpen;
        if (currentTime >= offer.expiry) return IMarket.SkipReason.ComputeOfferExpired;
        if (m.vcuHours > offer.remainingVcuHours) return IMarket.SkipReason.ComputeQuantityExceeded;
        if (offer.hardwareClass != bid.hardwareClass) return IMarket.SkipReason.HardwareClassMismatch;
        if (offer.windowStart > bid.windowStart || bid.windowEnd > offer.windowEnd) {
            return IMarket.SkipReason.WindowNotCovered;
        }
        if ((bid.acceptableRegions >> offer.region) & 1 == 0) return IMarket.SkipReason.RegionNotAccepted;
        if (m.computePayment < uint256(offer.reservePricePerVcuHour) * m.vcuHours) {
            return IMarket.SkipReason.ComputePaymentBelowReserve;
        }
        return IMarket.SkipReason.None;
    }

    /// @notice One energy lot against its offer; `previousOfferId` is the lot before it (0 for the first).
    function checkEnergyLot(
        IMarket.EnergyLot calldata lot,
        uint256 previousOfferId,
        IMarket.EnergyOffer memory offer,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        // Ascending ids rule out the same offer twice in one match, which would overdraw it.
        if (lot.offerId <= previousOfferId) return IMarket.SkipReason.EnergyLotsNotAscending;
        if (lot.wh == 0) return IMarket.SkipReason.ZeroQuantity;
        if (offer.remainingWh == 0) return IMarket.SkipReason.EnergyOfferNotOpen;
        if (currentTime >= offer.expiry) return IMarket.SkipReason.EnergyOfferExpired;
        if (lot.wh > offer.remainingWh) return IMarket.SkipReason.EnergyQuantityExceeded;
        if (lot.payment < Math.ceilDiv(uint256(offer.reservePricePerKwh) * lot.wh, WH_PER_KWH)) {
            return IMarket.SkipReason.EnergyPaymentBelowReserve;
        }
        return IMarket.SkipReason.None;
    }

    /// @notice The lots' Wh against the bid's minimum green share of the energy the job needs.
    function checkGreenShare(
        uint256 greenWh,
        uint256 energyNeeded,
        uint256 minGreenBps
    ) internal pure returns (IMarket.SkipReason) {
        if (greenWh * BPS < energyNeeded * minGreenBps) return IMarket.SkipReason.GreenShareBelowMinimum;
        if (greenWh > energyNeeded) return IMarket.SkipReason.GreenAboveNeed;
        return IMarket.SkipReason.None;
    }

    /// @notice The link between the buyer's and the compute region, needed exactly when they differ.
    /// @param link the bandwidth offer named by the match (all zero when the match names none)
    function checkBandwidth(
        IMarket.Match calldata m,
        IMarket.Bid memory bid,
        uint8 computeRegion,
        IMarket.BandwidthOffer memory link,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        if (computeRegion == bid.buyerRegion) {
            if (m.bandwidthOfferId != 0 || m.bandwidthPayment != 0) return IMarket.SkipReason.BandwidthNotNeeded;
            return IMarket.SkipReason.None;
        }
        if (m.bandwidthOfferId == 0) return IMarket.SkipReason.BandwidthMissing;
        if (link.remainingMbps == 0) return IMarket.SkipReason.BandwidthOfferNotOpen;
        if (currentTime >= link.expiry) return IMarket.SkipReason.BandwidthOfferExpired;
        bool joins =
            (link.fromRegion == computeRegion && link.toRegion == bid.buyerRegion) ||
                (link.fromRegion == bid.buyerRegion && link.toRegion == computeRegion);
        if (!joins) return IMarket.SkipReason.BandwidthRouteMismatch;
        if (link.windowStart > bid.windowStart || bid.windowEnd > link.windowEnd) {
            return IMarket.SkipReason.BandwidthWindowNotCovered;
        }
        if (bid.bandwidthMbps > link.remainingMbps) return IMarket.SkipReason.BandwidthCapacityExceeded;
        if (link.latencyMs > bid.maxLatencyMs) return IMarket.SkipReason.LatencyAboveMaximum;
        uint256 mbpsSeconds = uint256(bid.bandwidthMbps) * (bid.windowEnd - bid.windowStart);
        if (m.bandwidthPayment < Math.ceilDiv(uint256(link.reservePricePerMbpsHour) * mbpsSeconds, SECONDS_PER_HOUR)) {
            return IMarket.SkipReason.BandwidthPaymentBelowReserve;
        }
        return IMarket.SkipReason.None;
    }

    /// @notice Payments plus the fee against the bid's budget (limit × vcuHours).
    /// @dev Callers bound each payment by the budget before summing, so nothing here can overflow.
    /// @return reason PriceAboveLimit or None
    /// @return fee the platform fee on `totalPayment`, rounded down
    function checkPrice(
        uint256 totalPayment,
        uint256 feeBps,
        uint256 budget
    ) internal pure returns (IMarket.SkipReason reason, uint256 fee) {
        fee = (totalPayment * feeBps) / BPS;
        if (totalPayment + fee > budget) return (IMarket.SkipReason.PriceAboveLimit, fee);
        return (IMarket.SkipReason.None, fee);
    }
}
