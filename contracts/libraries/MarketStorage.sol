// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";

/// @dev Parameters read together on every settlement, packed into one slot.
struct Settings {
    address treasury;
    uint16 feeBps;
    uint32 challengePeriod;
    uint32 reportGracePeriod;
}

/// @dev A parameter change waiting for its delay; effectiveAt 0 means none. Values of every
/// parameter fit 32 bits (periods in seconds, fee in bps, factors in gCO2e/kWh).
struct ScheduledChange {
    uint40 effectiveAt;
    uint32 value;
}

/// @dev The id counters, packed into one slot so that a settlement batch writes it warm after the first deal.
struct Counters {
    uint48 bids;
    uint48 computeOffers;
    uint48 energyOffers;
    uint48 bandwidthOffers;
    uint48 deals;
}

/// @dev A region's own grid factor; `isSet` tells an explicit 0 g/kWh from "use the default".
struct GridFactor {
    bool isSet;
    uint16 gCO2ePerKwh;
}

/// @dev The market's orders, their hourly use, deals, balances and emission factors, grouped so that
/// the external libraries can take them by one storage reference. Hourly quantities are packed
/// (HourLanes): VCU and Mbps as 8 × uint32 per slot keyed by hourIndex / 8, Wh as 4 × uint64 per slot.
struct Book {
    Counters counts;
    mapping(uint256 bidId => IMarket.Bid) bids;
    mapping(uint256 offerId => IMarket.ComputeOffer) computeOffers;
    mapping(uint256 offerId => IMarket.EnergyOffer) energyOffers;
    mapping(uint256 offerId => IMarket.BandwidthOffer) bandwidthOffers;
    mapping(uint256 dealId => IMarket.Deal) deals;
    mapping(uint8 region => GridFactor) gridFactors;
    mapping(IGreenCertificates.EnergySource source => uint16) sourceFactors;
    // VCU sold per hour: lane hourIndex % 8 of slot hourIndex / 8.
    mapping(uint256 offerId => mapping(uint256 slot => uint256)) computeUsed;
    // Mbps reserved per hour, packed like computeUsed.
    mapping(uint256 offerId => mapping(uint256 slot => uint256)) bandwidthUsed;
    // Wh left per offer hour: lane i % 4 of slot i / 4, i = the hour's offset from the offer's firstHour.
    mapping(uint256 offerId => mapping(uint256 slot => uint256)) energyRemaining;
    // Wh of a device-hour in open offers or sold: lane hourIndex % 4 of slot (deviceId << 32 | hourIndex / 4).
    mapping(uint256 deviceSlot => uint256) deviceHourOffered;
    // Links a bid reserved its Mbps on besides its first (Bid.linkId), for a bid split across regions.
    mapping(uint256 bidId => mapping(uint256 linkId => bool)) extraLinks;
    mapping(address account => uint256) withdrawable;
    uint256 accruedFees;
}
