// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {Hours} from "./Hours.sol";
import {MarketCodes} from "./MarketCodes.sol";

/// @title The limits a match must respect, read from the orders themselves (docs/market-rules.md, "Matching: what settle checks")
/// @notice Pure checks used by `Market.settle`. Each returns the first reason the match breaks an
/// order's limit, or `SkipReason.None`. Reserve costs round up and the fee rounds down, so rounding
/// never lets a payment fall below a supplier's reserve nor the total rise above a buyer's limit.
library MatchRules {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PUE_SCALE = 1000;
    uint256 internal constant WH_PER_KWH = 1000;

    /// @notice Facility energy `vcu` units need in one hour: vcu × whPerVcuHour × pueMilli / 1000.
    function needPerHourWh(uint256 vcu, uint256 whPerVcuHour, uint256 pueMilli) internal pure returns (uint256) {
        return (vcu * whPerVcuHour * pueMilli) / PUE_SCALE;
    }

    /// @notice The bid: availability, quantity and the job's start, not yet begun (rules 1 and 2).
    function checkBid(
        IMarket.Match calldata m,
        IMarket.Bid memory bid,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        if (m.vcu == 0) return IMarket.SkipReason.ZeroQuantity;
        if (bid.remainingVcu == 0) return IMarket.SkipReason.BidNotOpen;
        if (currentTime >= bid.expiry) return IMarket.SkipReason.BidExpired;
        if (m.vcu > bid.remainingVcu) return IMarket.SkipReason.BidQuantityExceeded;
        if (
            !Hours.isOnHour(m.start) ||
            m.start < bid.earliestStart ||
            uint256(m.start) + uint256(bid.durationHours) * Hours.SECONDS_PER_HOUR > bid.latestEnd
        ) return IMarket.SkipReason.StartOutsideWindow;
        // A job cannot run in the past: its first hour must not have begun before the match settles.
        if (m.start < currentTime) return IMarket.SkipReason.StartPassed;
        // A job runs at once: every match of one bid starts at the hour its first match fixed.
        if (bid.start != 0 && m.start != bid.start) return IMarket.SkipReason.StartMismatch;
        return IMarket.SkipReason.None;
    }

    /// @notice The compute offer against the bid, except the hourly capacity and the reserve (rule 3).
    function checkCompute(
        IMarket.Bid memory bid,
        IMarket.ComputeOffer memory offer,
        uint256 start,
        uint256 end,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        if (offer.vcu == 0) return IMarket.SkipReason.ComputeOfferNotOpen;
        if (currentTime >= offer.expiry) return IMarket.SkipReason.ComputeOfferExpired;
        if (offer.hardwareClass != bid.hardwareClass) return IMarket.SkipReason.HardwareClassMismatch;
        if ((bid.acceptableRegions >> offer.region) & 1 == 0) return IMarket.SkipReason.RegionNotAccepted;
        if (offer.windowStart > start || end > offer.windowEnd) return IMarket.SkipReason.WindowNotCovered;
        return IMarket.SkipReason.None;
    }

    /// @notice Whether certificates generated in `generationRegion` may cover compute in `computeRegion`.
    function originAccepted(
        IMarket.CertificateOrigin origin,
        uint8 generationRegion,
        uint8 computeRegion
    ) internal pure returns (bool) {
        if (origin == IMarket.CertificateOrigin.Anywhere) return true;
        if (origin == IMarket.CertificateOrigin.GridArea) {
            return MarketCodes.gridAreaOf(generationRegion) == MarketCodes.gridAreaOf(computeRegion);
        }
        return generationRegion == computeRegion;
    }

    /// @notice One energy lot against its offer and the job (rule 4, up to the hour's remaining Wh,
    /// which needs storage; the device's status, the origin and the reserve follow in that order).
    /// @param previousKey (offerId << 40 | hour) of the lot before it (0 for the first)
    function checkEnergyLot(
        IMarket.EnergyLot calldata lot,
        uint256 previousKey,
        IMarket.EnergyOffer memory offer,
        uint256 start,
        uint256 end,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        // Strictly ascending (offer, hour) rules out the same offer-hour twice in one match, which
        // would overdraw it.
        if (lot.offerId > type(uint48).max || (lot.offerId << 40) | lot.hour <= previousKey) {
            return IMarket.SkipReason.EnergyLotsNotAscending;
        }
        if (lot.wh == 0) return IMarket.SkipReason.ZeroQuantity;
        if (lot.hour < start || lot.hour >= end || !Hours.isOnHour(lot.hour)) {
            return IMarket.SkipReason.LotOutsideJobHours;
        }
        if (offer.hourCount == 0) return IMarket.SkipReason.EnergyOfferNotOpen;
        if (currentTime >= offer.expiry) return IMarket.SkipReason.EnergyOfferExpired;
        return IMarket.SkipReason.None;
    }

    /// @notice Whether a lot's payment covers its offer's reserve, rounded up.
    function lotCoversReserve(
        IMarket.EnergyLot calldata lot,
        IMarket.EnergyOffer memory offer
    ) internal pure returns (bool) {
        return lot.payment >= Math.ceilDiv(uint256(offer.reservePricePerKwh) * lot.wh, WH_PER_KWH);
    }

    /// @notice The link between the buyer's and the compute region, needed exactly when they differ
    /// (rule 6, except the hourly Mbps and the reserve, which depend on the bid's earlier reservations).
    /// @param link the bandwidth offer named by the match (all zero when the match names none)
    function checkBandwidth(
        IMarket.Match calldata m,
        IMarket.Bid memory bid,
        uint8 computeRegion,
        IMarket.BandwidthOffer memory link,
        uint256 end,
        uint256 currentTime
    ) internal pure returns (IMarket.SkipReason) {
        if (computeRegion == bid.buyerRegion) {
            if (m.bandwidthOfferId != 0 || m.bandwidthPayment != 0) return IMarket.SkipReason.BandwidthNotNeeded;
            return IMarket.SkipReason.None;
        }
        if (m.bandwidthOfferId == 0) return IMarket.SkipReason.BandwidthMissing;
        if (link.mbps == 0) return IMarket.SkipReason.BandwidthOfferNotOpen;
        if (currentTime >= link.expiry) return IMarket.SkipReason.BandwidthOfferExpired;
        bool joins =
            (link.fromRegion == computeRegion && link.toRegion == bid.buyerRegion) ||
                (link.fromRegion == bid.buyerRegion && link.toRegion == computeRegion);
        if (!joins) return IMarket.SkipReason.BandwidthRouteMismatch;
        if (link.windowStart > m.start || end > link.windowEnd) return IMarket.SkipReason.BandwidthWindowNotCovered;
        if (link.latencyMs > bid.maxLatencyMs) return IMarket.SkipReason.LatencyAboveMaximum;
        return IMarket.SkipReason.None;
    }

    /// @notice Payments plus the fee against the bid's budget (limit × vcu × durationHours).
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
