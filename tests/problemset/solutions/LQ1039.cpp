#include <iostream>
#include <algorithm>
#include <climits>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long best = LLONG_MIN, cur = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        cur = max(cur + x, x);  // best sum of a segment ending here
        best = max(best, cur);
    }
    cout << best << "\n";
    return 0;
}
